# CPU recipe, stage 2 alone: the refinement module trained with the Eq.-5 cross-entropy
# on top of a stage-1 checkpoint of shls_r18-w32_slic_1xb1-2k_saliency-256.py, whose
# backbone and superfeature head stay frozen (requires_grad=False, eval-mode BN).
#   python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256_refine-stage2.py \
#       --cfg-options load_from=work_dirs/shls_r18-w32_slic_1xb1-2k_saliency-256/iter_2000.pth
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/pseudo_video_folder-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_2k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    loss=None,                     # no loss_contrastive: only loss_refine
    frozen=('backbone', 'head'))
# Placeholder: the stage-1 checkpoint (the decoder is missing from it and starts from its
# initialisation; mmengine loads non-strictly and lists the missing keys).
load_from = 'work_dirs/shls_r18-w32_slic_1xb1-2k_saliency-256/iter_2000.pth'
data_root = '../shared/data/saliency'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
# The validation KNN accuracy cannot change with frozen superfeatures: keep the latest
# checkpoints instead of a "best" one.
default_hooks = dict(checkpoint=dict(interval=500, save_best=None))
