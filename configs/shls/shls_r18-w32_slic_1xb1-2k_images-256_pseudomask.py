# The CPU recipe of shls_r18-w32_slic_1xb1-2k_saliency-256.py trained from a folder of
# images alone, without masks: each image's object mask is estimated by an unsupervised,
# training-free saliency method (mean of minimum-barrier and region-contrast maps, refined
# by Otsu + GrabCut: MBDContrastSaliency, shls/models/saliency) the first time the image
# is used, and cached as <data_root>/pseudo_masks/MBDContrastSaliency/<stem>.png, shared
# by the dataloader workers and later runs. The validation pseudo-videos (the 25 held-out
# images) are made from pseudo-masks too: with images alone there is nothing else, so the
# k-NN validation accuracy measures consistency with the pseudo-masks, not real masks.
#
#   # optional: precompute the masks (progress bar, resumable) into the same folder
#   python tools/make_pseudo_masks.py data/myimages/images \
#       data/myimages/pseudo_masks/MBDContrastSaliency
#   python tools/train.py configs/shls/shls_r18-w32_slic_1xb1-2k_images-256_pseudomask.py \
#       --data-root data/myimages
#
# data_root needs only images/ (a placeholder here: give --data-root). The cache folder
# must be writable and records the estimator settings and the image folder; for a
# read-only or shared data folder (e.g. ../shared/data/saliency), put it elsewhere:
#   --cfg-options train_dataloader.dataset.mask_cache_dir=$PWD/work_dirs/pseudo_masks \
#                 val_dataloader.dataset.mask_cache_dir=$PWD/work_dirs/pseudo_masks
_base_ = './shls_r18-w32_slic_1xb1-2k_saliency-256.py'
data_root = 'data/images'
images_only = dict(data_root=data_root, mask_dir=None,
                   saliency=dict(type='MBDContrastSaliency'),
                   mask_cache_dir='pseudo_masks/MBDContrastSaliency')
train_dataloader = dict(dataset=images_only)
val_dataloader = dict(dataset=images_only)
