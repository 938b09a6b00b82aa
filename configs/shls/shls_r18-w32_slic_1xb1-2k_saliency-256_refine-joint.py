# CPU recipe, joint training: NT-Xent on the superfeatures (stage 1) and the refinement
# cross-entropy (stage 2) together, from scratch, on the same pseudo-videos.
#   python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256_refine-joint.py
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/pseudo_video_folder-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_2k.py',
    '../_base_/default_runtime.py',
]
data_root = '../shared/data/saliency'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(checkpoint=dict(interval=500))
