# Table 1, row 3: full SHLS (pre-segmentation -> per-object ROIs -> refinement);
# memory capped as in the seed code (10 x / 5 x the frame-0 superpixels per class).
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
test_cfg = dict(segmenter_cfg=dict(refine=True, roi=True))
