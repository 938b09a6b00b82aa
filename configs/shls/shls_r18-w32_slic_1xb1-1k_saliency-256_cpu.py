# Stage 1 of the shipped CPU model (stage 2 and the demo default:
# shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py).
# Training: the CPU recipe (half-width slim ResNet-18, SLIC, 1 pseudo-video of 256x256 per
# iteration, Adam 1e-4 constant) for 1k iterations on the 325 still images + masks of
# ../shared/data/saliency (no DAVIS frame); held-out checks at 500 and 1000.
#   OMP_NUM_THREADS=1 python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py
# Wall time here: 25 min for the shipped run (1 thread, shared 2-core machine; 0.47 s per
# iteration when idle, i.e. ~8 min); the held-out check picked iteration 1000.
# Inference: the CPU test settings of configs/_base_/test_cfg/cpu.py (colour block,
# bfloat16 backbone where native, SLIC at half size).
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py', '../_base_/test_cfg/cpu.py']
model = dict(test_cfg=_base_.cpu_test_cfg)  # noqa: F821 (mmengine provides _base_)
train_cfg = dict(max_iters=1000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
