# CPU recipe: the slim ResNet-18 at half width (32/64/128/128), 1 pseudo-video per
# iteration, 2k iterations, on a folder of still images + object masks.
#   python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256.py
# trains on the project's 325 development images at ../shared/data/saliency (beside the
# repository); give any images/ + masks/ folder with --data-root DIR instead.
_base_ = [
    '../_base_/models/shls_r18.py',
    '../_base_/datasets/pseudo_video_folder-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_2k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(stem_channels=32, stage_channels=(32, 64, 128, 128)),
    head=dict(l1_channels=32, l4_channels=128))
data_root = '../shared/data/saliency'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(checkpoint=dict(interval=500))
