# Runtime shared by every shls config (mmengine Runner fields).
default_scope = 'shls'
# mmengine's Runner, except that it reads mmengine checkpoints (load_from / resume) that
# torch >= 2.6 refuses to unpickle by default (shls.engine.SHLSRunner).
runner_type = 'SHLSRunner'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when no GPU is present.
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False, window_size=10)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # AtomicCheckpointHook: CheckpointHook that writes each file whole (temporary name, then
    # rename), so a kill while saving never leaves a truncated checkpoint.
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=1000, max_keep_ckpts=3,
                    save_best='knn/accuracy', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
