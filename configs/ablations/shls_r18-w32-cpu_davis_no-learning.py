# The no-learning variant of the shipped CPU pipeline: the same superpixels, memory and
# pre-segmentation, but superpixels described by the colour block alone
# (SuperpixelColourStats: Lab mean/std + centroid); the backbone is not run. What the
# learned superfeatures add is the difference to the shipped model on the same set:
#   python tools/test.py configs/ablations/shls_r18-w32-cpu_davis_no-learning.py \
#       checkpoints/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth
# (the checkpoint is loaded for the model's shape only; no learned weight is used).
_base_ = ['./shls_r18-w32-cpu_davis_table1-preseg-only.py']
model = dict(test_cfg=dict(learned_weight=0.0))
