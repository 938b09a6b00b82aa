# Table 1, row 2: feature modulator + decoder on the whole frame (no ROI selection).
# The paper's row used a model trained that way: give a checkpoint trained with
# model.train_cfg.roi=False to tools/analysis/ablation.py --checkpoints for that.
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
test_cfg = dict(segmenter_cfg=dict(refine=True, roi=False))
