# YouTube-VOS semi-supervised inference: objects are annotated on the frame where they
# first appear (meta.json), one dataloader item = one video, streamed by VOSTestLoop.
# There is no public ground truth for valid/test: the run writes masks, no J&F.
# Point it at a YouTube-VOS root (<split>/JPEGImages, <split>/Annotations,
# <split>/meta.json) with
#   --cfg-options test_dataloader.dataset.data_root=ROOT
# (use it in place of davis.py in a config's _base_ list)

test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='YouTubeVOSDataset',
        data_root='data/YouTubeVOS',
        split='valid'))

test_evaluator = []  # no ground truth: masks only

test_cfg = dict(
    type='VOSTestLoop',
    out_dir=None,  # predicted masks: <out_dir>/<video>/...; default <work_dir>/predictions
    segmenter_cfg=dict(),
    progress=True)
