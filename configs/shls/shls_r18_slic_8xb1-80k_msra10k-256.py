# The paper's stage-1 recipe: 8 GPUs x 1 pseudo-video of 3 frames at 256x256, Adam
# lr 1e-4 x 8, superfeatures trained with NT-Xent on MSRA10K + saliency masks.
#   bash tools/dist_train.sh configs/shls/shls_r18_slic_8xb1-80k_msra10k-256.py 8
_base_ = [
    '../_base_/models/shls_r18.py',
    '../_base_/datasets/pseudo_video_msra10k-256.py',
    '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_adam_80k.py',
    '../_base_/default_runtime.py',
]
