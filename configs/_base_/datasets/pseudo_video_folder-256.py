# Pseudo-videos from a folder of still images + object masks: images/*.jpg, masks/*.png
# with matching stems (e.g. ../shared/data/saliency, 325 images), set by --data-root.
dataset_type = 'PseudoVideoDataset'
data_root = 'data/saliency'
common = dict(
    type=dataset_type,
    data_root=data_root,
    img_dir='images',
    mask_dir='masks',
    img_suffix=('.jpg', '.jpeg', '.png'),
    mask_suffix='.png',
    mask_threshold=128,     # soft saliency maps: foreground = value >= threshold
    num_frames=3,
    frame_size=(256, 256),
    max_objects=3,
    holdout=25)
pipeline = [dict(type='PackVideoInputs')]
train_dataloader = dict(
    batch_size=1,
    num_workers=1,
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
