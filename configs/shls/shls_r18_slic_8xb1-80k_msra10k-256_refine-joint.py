# The paper-size model trained jointly: NT-Xent (stage 1) + refinement cross-entropy
# (stage 2) on MSRA10K pseudo-videos, 8 GPUs x 1 clip.
#   bash tools/dist_train.sh configs/shls/shls_r18_slic_8xb1-80k_msra10k-256_refine-joint.py 8
_base_ = [
    '../_base_/models/shls_r18_refine.py',
    '../_base_/datasets/pseudo_video_msra10k-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_80k.py',
    '../_base_/default_runtime.py',
]
