# The CPU-tier SHLS (slim ResNet-18 at half width: C1 = 32, C4 = 128) with a narrow
# refinement decoder (0.7 M parameters); see shls_r18_refine.py for the paper's widths.
_base_ = ['./shls_r18.py']
model = dict(
    backbone=dict(stem_channels=32, stage_channels=(32, 64, 128, 128)),
    head=dict(l1_channels=32, l4_channels=128),
    decoder=dict(
        type='RefineDecoder',
        l1_channels=32 + 3,    # backbone L1 + 3 painted meta channels
        l4_channels=128 + 3,   # backbone L4 + 3 painted meta channels
        att_channels=4,
        modulator_channels=16,
        deep_channels=64,
        skip_channels=32,
        sampling_ratio=0),
    train_cfg=dict(refine=True, roi=True, roi_margin=0.5, update_memory=True,
                   loss_refine_weight=1.0),
    test_cfg=dict(refine=True, roi=True, roi_margin=0.3, roi_min_side=0.05,
                  roi_max_side=None))
