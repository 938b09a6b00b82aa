# Stage 2 of the shipped CPU model: the narrow refinement decoder with a residual
# pre-segmentation prior (RefineDecoder.prior_weight), trained on the same pseudo-videos
# with the backbone and heads of stage 1 frozen.
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py
# (after stage 1: configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py)
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256_refine-stage2.py']
model = dict(
    decoder=dict(prior_weight=10.0),  # = 1 / test_cfg.confidence_temperature
    # the memory of stage-2 clips uses the descriptors of test time (learned + colour)
    train_cfg=dict(handcrafted=dict(type='SuperpixelColourStats')),
    test_cfg=dict(
        handcrafted=dict(_delete_=True, type='SuperpixelColourStats'),
        autocast=True,
        roi_max_side=256,  # decode ROIs at most at the training clips' size
        superpixels=dict(
            _delete_=True,
            type='ResizedSuperpixels',
            scale=0.5,
            generator=dict(type='SLICSuperpixels', segment_area=100, compactness=20))))
load_from = 'work_dirs/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu/iter_1000.pth'
optim_wrapper = dict(optimizer=dict(lr=5e-4))
train_cfg = dict(max_iters=200, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=100))
