# DAVIS-2017 semi-supervised evaluation: one dataloader item = one video, streamed by
# VOSTestLoop, scored by the official J&F protocol (DAVISMetric).
# Point it at any DAVIS-layout root (JPEGImages/480p, Annotations/480p,
# ImageSets/2017/val.txt) with
#   --cfg-options test_dataloader.dataset.data_root=ROOT
# (no top-level dataset_type / data_root: this file is combined with training datasets
# in one _base_ list, and mmengine refuses keys defined by two bases)

test_dataloader = dict(
    batch_size=1,
    num_workers=0,  # items are paths + the first mask; frames are read by the loop
    persistent_workers=False,
    # round_up=False: in distributed runs every video goes to exactly one process
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='DAVISDataset',
        data_root='data/DAVIS',
        split_file='ImageSets/2017/val.txt',
        resolution='480p'))

test_evaluator = dict(
    type='DAVISMetric',
    split='val',
    out_dir=None)  # CSV + JSON folder; tools/test.py sets it to --out or the work dir

test_cfg = dict(
    type='VOSTestLoop',
    out_dir=None,  # predicted PNGs: <out_dir>/<seq>/<frame>.png; default <work_dir>/predictions
    segmenter_cfg=dict(),  # overrides of model.test_cfg
    progress=True)
