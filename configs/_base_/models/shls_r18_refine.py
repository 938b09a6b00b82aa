# SHLS with the paper's refinement module (method.md §6): slim ResNet-18 + superfeature
# head + memory + RefineDecoder (8.8 M parameters; whole model ~13.9 M).
_base_ = ['./shls_r18.py']
model = dict(
    decoder=dict(
        type='RefineDecoder',
        l1_channels=64 + 3,    # backbone L1 + 3 painted meta channels
        l4_channels=256 + 3,   # backbone L4 + 3 painted meta channels
        att_channels=4,        # [S_k, max S_l, L_k, max L_l] per object
        modulator_channels=32,
        deep_channels=256,
        skip_channels=128,
        sampling_ratio=0),     # adaptive RoIAlign sampling, as torchvision
    # Stage 2 (SHLS.loss): memory fitted on frame 0 and updated through the clip as at
    # test time; ROIs = ground-truth box + 50 %; loss_refine = Eq.-5 cross-entropy.
    train_cfg=dict(refine=True, roi=True, roi_margin=0.5, update_memory=True,
                   loss_refine_weight=1.0),
    test_cfg=dict(
        refine=True,           # False: pre-segmentation only (same checkpoint)
        roi=True,              # False: every object decoded on the whole frame
        roi_margin=0.3,        # pre-segmentation box + 30 %, >= the frame-0 ROI
        roi_min_side=0.05,     # sides under 5 % of the frame span the whole frame
        roi_max_side=None))    # decode larger ROIs shrunk to this side (None: full size)
