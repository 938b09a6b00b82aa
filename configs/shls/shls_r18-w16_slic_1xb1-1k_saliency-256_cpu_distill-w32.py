# The quarter-width model (16/32/64/64) of shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py,
# trained the same way (1k iterations on the 325 still images + masks of
# ../shared/data/saliency, no DAVIS frame) plus a second loss: its superfeatures learn
# the shipped half-width model's on the same frames and superpixels (DistilledSHLS,
# SuperfeatureDistillLoss). Test settings as the w16 config.
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/shls/shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_distill-w32.py
# It restates the w16 config on that config's own bases (at most two levels of _base_).
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py', '../_base_/test_cfg/cpu.py']
model = dict(
    type='DistilledSHLS',
    teacher=dict(
        config='configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py',
        checkpoint='checkpoints/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth'),
    distill_loss=dict(type='SuperfeatureDistillLoss', loss_weight=5.0),
    backbone=dict(stem_channels=16, stage_channels=(16, 32, 64, 64), l1_at_input_size=False),
    head=dict(l1_channels=16, l4_channels=64),
    test_cfg=_base_.cpu_test_cfg)  # noqa: F821 (mmengine provides _base_)
model['test_cfg']['superpixels']['generator']['max_num_iter'] = 7
model['test_cfg']['superpixels']['generator']['compactness'] = 20
model['test_cfg']['flow_prior']['preset'] = 'fast'
model['test_cfg']['flow_prior']['scale'] = 0.5
model['test_cfg']['flow_prior']['occlusion_check'] = False
model['test_cfg']['flow_prior']['pixel_weight'] = 0.0
model['test_cfg']['edge_aware']['eps'] = 0.001
model['test_cfg']['pixel_classifier']['weight'] = 0.5
model['test_cfg']['pixel_classifier']['inner_weight'] = 0.0
model['test_cfg']['int8'] = 'auto'
model['test_cfg']['extra_partitions'] = None
model['test_cfg']['boundary_partition'] = None
train_cfg = dict(max_iters=1000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
