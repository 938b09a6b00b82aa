# Table 1 (preseg-only) for the shipped CPU model: stage-1 checkpoint + stage-2 decoder with the
# residual pre-segmentation prior (pruning only), colour block, bfloat16 backbone, SLIC at
# half size. Run with the stage-2 checkpoint of
# configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py:
#   python tools/analysis/ablation.py configs/ablations/shls_r18-w32-cpu_davis_table1-*.py \
#       --checkpoint CKPT --data-root ../shared/data/davis --out work_dirs/table1_cpu
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
model = dict(
    decoder=dict(prior_weight=10.0, prune_only=True),
    test_cfg=dict(
        handcrafted=dict(_delete_=True, type='SuperpixelColourStats'),
        autocast='auto',  # bfloat16 where this CPU runs it faster (probe), else float32
        winograd=True,  # float32 on a CPU: Winograd 3x3 convolutions (NNPACK) if present
        # opt-in: dict(weight=1.0, scale=0.5) moves the previous mask by optical flow as
        # a bonus on the Eq.-4 scores (+1.0 J&F on ../shared/data/davis, +1.4 on
        # davis_train, but -5.3 on blackswan; README, "Flow prior")
        flow_prior=None,
        roi_max_side=256,  # decode ROIs at most at the training clips' size
        superpixels=dict(
            _delete_=True,
            type='ResizedSuperpixels',
            scale=0.5,
            generator=dict(type='SLICSuperpixels', segment_area=100, compactness=20))))
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
test_cfg = dict(segmenter_cfg=dict(refine=False))
