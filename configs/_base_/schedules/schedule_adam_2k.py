# A short CPU schedule: Adam 1e-4 (the paper's per-GPU rate), 2k iterations.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4, weight_decay=0))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000, val_interval=500)
val_cfg = dict(type='ValLoop')
auto_scale_lr = dict(enable=False, base_batch_size=1)
