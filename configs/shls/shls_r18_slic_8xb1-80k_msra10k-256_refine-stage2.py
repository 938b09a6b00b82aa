# The paper-size refinement module trained alone (stage 2) on a frozen stage-1 model
# (shls_r18_slic_8xb1-80k_msra10k-256.py), 8 GPUs x 1 clip.
#   bash tools/dist_train.sh configs/shls/shls_r18_slic_8xb1-80k_msra10k-256_refine-stage2.py 8 \
#       --cfg-options load_from=work_dirs/shls_r18_slic_8xb1-80k_msra10k-256/iter_80000.pth
_base_ = [
    '../_base_/models/shls_r18_refine.py',
    '../_base_/datasets/pseudo_video_msra10k-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_80k.py',
    '../_base_/default_runtime.py',
]
model = dict(loss=None, frozen=('backbone', 'head'))
# Placeholder: the stage-1 checkpoint (loaded non-strictly: the decoder starts fresh).
load_from = 'work_dirs/shls_r18_slic_8xb1-80k_msra10k-256/iter_80000.pth'
default_hooks = dict(checkpoint=dict(save_best=None))
