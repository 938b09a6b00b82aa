# Pseudo-videos synthesised from MSRA10K still images + (unsupervised) saliency masks.
# Set data_root to your copy: Imgs/*.jpg with masks Imgs/*.png (the MSRA10K layout).
dataset_type = 'PseudoVideoDataset'
data_root = 'data/MSRA10K/MSRA10K_Imgs_GT'
common = dict(
    type=dataset_type,
    data_root=data_root,
    img_dir='Imgs',
    mask_dir='Imgs',
    img_suffix='.jpg',
    mask_suffix='.png',
    mask_threshold=128,     # soft saliency maps: foreground = value >= threshold
    num_frames=3,
    frame_size=(256, 256),
    max_objects=3,
    holdout=200)
pipeline = [dict(type='PackVideoInputs')]
train_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(**common, split='train', seed=0, num_samples=100000, pipeline=pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(**common, split='val', seed=12345, pipeline=pipeline))
val_evaluator = dict(type='KNNAccuracy')
