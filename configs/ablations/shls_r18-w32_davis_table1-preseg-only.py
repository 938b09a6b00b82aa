# Table 1, row 1: pre-segmentation only (Eq. 4 painted to pixels), no refinement;
# the full model's checkpoint, its decoder unused. Run with tools/analysis/ablation.py.
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
test_cfg = dict(segmenter_cfg=dict(refine=False))
