# The shipped CPU model (same checkpoint) with its backbone run on the half-size frame:
# ~4.7x fewer multiply-adds, 4.8 frames/s at 480p on 2 AVX2 cores instead of ~2, for
# -2.8 J&F on ../shared/data/davis (57.95 vs 60.73) and -6.2 on davis_train (60.71 vs
# 66.95), bfloat16 (README, "Speed of the engines"; measured before the edge-aware masks
# and the flow prior that it now inherits from the CPU test settings). L1 is pooled at
# its own stride (no full-size map); no decoder (refine=False only).
#   python tools/demo.py VIDEO --config <this file>
_base_ = ['./shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py']
model = dict(
    backbone=dict(input_scale=0.5, l1_at_input_size=False),
    test_cfg=dict(winograd=False))  # oneDNN channels-last is faster on the small maps
