# Fig. 12: full SHLS with the memory capped at unlimited: every confident superfeature is kept.
# Per-class caps lifted (cap_factor huge, keep_factor = half of it) so that only
# max_total binds.
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
model = dict(memory=dict(max_total=None, cap_factor=1_000_000, keep_factor=500_000))
