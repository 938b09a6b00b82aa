# The CPU recipe with a quarter-width slim ResNet-18 (16/32/64/64: ~4x fewer multiply-adds
# than the shipped half-width one), trained the same way (1k iterations on the 325 still
# images + masks of ../shared/data/saliency, no DAVIS frame), with the same CPU test
# settings plus four speed knobs and its own SLIC compactness; pre-segmentation only (no
# decoder). The fast option
# (README, "Since commit bfe4d75"): ~146 ms = 6.9 frames/s at 480p on 2 AVX2 cores with
# the int8 backbone below (float32: ~200 ms; the shipped model: ~350 ms) and ~131 ms =
# 7.6 frames/s natively (int8 backbone, bfloat16 heads), for J&F 64.16 / 68.67 on
# ../shared/data/davis / davis_train on AVX2 and 65.62 / 68.91 natively (float32: 65.09 /
# 69.08; the shipped model: 67.14 / 69.92 then). What `tools/demo.py --model fast` runs
# (and `auto` on CPUs where neither bfloat16 nor int8 beats float32).
#   OMP_NUM_THREADS=1 python tools/train.py configs/shls/shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py \
#       --cfg-options model.backbone.l1_at_input_size=True
#   python tools/misc/publish_model.py work_dirs/<this config>/iter_1000.pth \
#       checkpoints/shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_fp16.pth --fp16
#   python tools/demo.py VIDEO --config <this file> \
#       --checkpoint checkpoints/shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_fp16.pth
# Wall time here: 10 min (1 thread, the 2-core machine shared with a second training).
# It restates shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py on that config's own base (at
# most two levels of _base_); only the widths and the test-time knobs below differ
# (tests/test_configs.py).
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py', '../_base_/test_cfg/cpu.py']
model = dict(
    # l1_at_input_size: a speed knob, see below
    backbone=dict(stem_channels=16, stage_channels=(16, 32, 64, 64), l1_at_input_size=False),
    head=dict(l1_channels=16, l4_channels=64),
    test_cfg=_base_.cpu_test_cfg)  # noqa: F821 (mmengine provides _base_)
# Speed knobs measured on both sets with this checkpoint (bfloat16, README "Results"):
# L1 pooled at its own stride (~10 ms less per 480p frame; 66.61 / 69.05 -> 66.49 / 68.92)
# and 7 SLIC iterations instead of 10 (~17 ms less; -> 66.25 / 69.24): within the ~0.4
# that float rounding alone moves the set means. (On the shipped w32 model 7 iterations
# gave +1.24 / -1.07, so it keeps 10.) Training reads the backbone knob too: the
# checkpoint was trained with L1 at the input size, which
# --cfg-options model.backbone.l1_at_input_size=True repeats exactly.
model['test_cfg']['superpixels']['generator']['max_num_iter'] = 7
# SLIC's compactness stays at 20 here: the shared settings' 10 (cpu.py) measured 67.15 /
# 71.80 -> 65.85 / 71.92 natively (int8 backbone, bfloat16 heads) and 65.82 / 71.36 ->
# 66.81 / 71.72 on AVX2 on ../shared/data/davis / davis_train: not better on both sets
# in both precisions (README, "Since commit 1e77659").
model['test_cfg']['superpixels']['generator']['compactness'] = 20
# A third speed knob (float32, the AVX2 path): OpenCV's 'fast' DIS preset for the flow
# prior (~2 ms instead of ~10 ms of one core at 427x240; -5 ms per frame on 2 AVX2 cores):
# J&F 64.80 / 69.21 -> 65.09 / 69.08.
model['test_cfg']['flow_prior']['preset'] = 'fast'
# The accurate model's settings compute the flow on the full frame (scale=1.0, README,
# "Since commit 4350f4f"); not measured on this speed-first model: it keeps half size.
model['test_cfg']['flow_prior']['scale'] = 0.5
# The occlusion check of the flow prior (on in the accurate model's settings, +0.48 /
# +1.80 J&F there) did not help this model natively: 65.62 -> 65.48 on davis (int8
# backbone, bfloat16 heads; davis_train not run), so it stays off here.
model['test_cfg']['flow_prior']['occlusion_check'] = False
# The flow prior at pixel level (pixel_weight 0.35 in the accurate model's settings) was
# not measured on this model: off.
model['test_cfg']['flow_prior']['pixel_weight'] = 0.0
# The shared settings' guided-filter ridge (eps=0.001) holds here too: against the
# 0.16 this config kept before, J&F 65.72 / 70.41 -> 67.15 / 71.80 natively and 65.04 /
# 69.87 -> 65.82 / 71.36 on AVX2 (README, "Since commit 1be0e6f").
# The accurate model's settings moved to eps=0.0005 and a pixel-classifier share of 0.6
# (README, "Since commit d64f005"); this one keeps 0.001 and 0.5: with both, J&F 67.15 /
# 71.80 -> 67.30 / 71.91 natively but 65.82 / 71.36 -> 65.49 / 71.56 on AVX2 on
# ../shared/data/davis / davis_train, not better on both sets in both precisions.
model['test_cfg']['edge_aware']['eps'] = 0.001
model['test_cfg']['pixel_classifier']['weight'] = 0.5
# Its share inside the objects (0.5 in the shared settings; README, "Since commit
# 6019454") is not measured on this model: off.
model['test_cfg']['pixel_classifier']['inner_weight'] = 0.0
# A fourth: the backbone in int8 where a start-up probe measures it faster than the
# precision `autocast` chose (shls.deployment.int8; README, "Since commit bfe4d75"):
# float32 65.09 / 69.08 -> int8 64.16 / 68.67 (AVX2), within the 3.4 / 0.6 that the
# calibration frames alone move the set means; bfloat16 64.70 / 69.08 -> int8 with
# bfloat16 heads 65.62 / 68.91 (native). So 'auto' (int8 also in place of bfloat16),
# as in the shared settings since commit 7247482 (they kept a bfloat16 backbone before).
model['test_cfg']['int8'] = 'auto'
# One superpixel partition: the shifted second partition of the w32 model (cpu.py)
# measured 65.62 / 68.91 -> 65.52 / 69.25 here (native, int8 backbone, bfloat16 heads)
# and 65.09 / 69.08 -> 65.04 / 69.47 (float32, AVX2): not better on both sets, and
# ~50 ms more per 480p frame (README, "Several partitions per frame").
model['test_cfg']['extra_partitions'] = None
# Nor the finer partition along the boundaries (not measured on this model; ~80 ms).
model['test_cfg']['boundary_partition'] = None
# The pixel classifier along the boundaries (shared settings) stays on: J&F 64.22 / 68.82
# -> 65.72 / 70.41 natively (int8 backbone, bfloat16 heads; Intel Xeon), 64.16 / 68.67
# -> 65.04 / 69.87 on AVX2, for ~10-20 ms more per 480p frame (README, "Since commit
# 7ad747d").
train_cfg = dict(max_iters=1000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
