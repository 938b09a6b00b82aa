# The paper's optimiser: Adam, lr 1e-4 per GPU (8 GPUs -> 8e-4), no weight decay, constant.
# 80k iterations of 8 clips ~ 200 "epochs" of a third of MSRA10K each (method.md §4).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=8e-4, weight_decay=0))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000, val_interval=4000)
val_cfg = dict(type='ValLoop')
auto_scale_lr = dict(enable=False, base_batch_size=8)
