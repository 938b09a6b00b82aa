# Training-free lower bound: the first frame's mask copied to every frame.
#   python tools/test.py configs/baselines/first-mask-copy_davis.py
# (no checkpoint: the model has no weights). J&F 22.2 on ../shared/data/davis.
_base_ = ['../_base_/datasets/davis.py', '../_base_/default_runtime.py']
model = dict(type='FirstMaskCopy')
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
