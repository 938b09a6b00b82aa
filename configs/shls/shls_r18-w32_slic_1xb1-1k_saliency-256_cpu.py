# Stage 1 of the shipped CPU model (stage 2 and the demo default:
# shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py).
# Training: the CPU recipe (half-width slim ResNet-18, SLIC, 1 pseudo-video of 256x256 per
# iteration, Adam 1e-4 constant) for 1k iterations on the 325 still images + masks of
# ../shared/data/saliency (no DAVIS frame); held-out checks at 500 and 1000.
#   OMP_NUM_THREADS=1 python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py
# Wall time here: 25 min for the shipped run (1 thread, shared 2-core machine; 0.47 s per
# iteration when idle, i.e. ~8 min); the held-out check picked iteration 1000.
# Inference: the superfeatures are joined by a per-superpixel colour block, the backbone
# runs in bfloat16 where the CPU has native kernels (autocast='auto'; float32 elsewhere)
# and SLIC runs on the half-size frame (labels upsampled), the
# settings that measured best for J&F at about 2 frames/s on a 2-core CPU (README).
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py']
model = dict(
    test_cfg=dict(
        handcrafted=dict(_delete_=True, type='SuperpixelColourStats'),
        autocast='auto',  # bfloat16 where this CPU runs it faster (probe), else float32
        winograd=True,  # float32 on a CPU: Winograd 3x3 convolutions (NNPACK) if present
        # opt-in: dict(weight=1.0, scale=0.5) moves the previous mask by optical flow as
        # a bonus on the Eq.-4 scores (+1.0 J&F on ../shared/data/davis, +1.4 on
        # davis_train, but -5.3 on blackswan; README, "Flow prior")
        flow_prior=None,
        superpixels=dict(
            _delete_=True,
            type='ResizedSuperpixels',
            scale=0.5,
            generator=dict(type='SLICSuperpixels', segment_area=100, compactness=20))))
train_cfg = dict(max_iters=1000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
