# Training-free baseline: the previous mask warped by OpenCV DIS optical flow (flow from
# each frame to the previous one, nearest-neighbour remap).
#   python tools/test.py configs/baselines/dis-flow_davis.py
# (no checkpoint: the model has no weights).
_base_ = ['../_base_/datasets/davis.py', '../_base_/default_runtime.py']
model = dict(type='DISFlowPropagation', test_cfg=dict(preset='medium'))
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
