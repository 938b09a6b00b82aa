# Fig. 12: full SHLS with the memory capped at 2k superfeatures in total, shared by
# the classes in proportion to their frame-0 superpixels, half of each share protected.
# Per-class caps lifted (cap_factor huge, keep_factor = half of it) so that only
# max_total binds.
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
]
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
model = dict(memory=dict(max_total=2000, cap_factor=1_000_000, keep_factor=500_000))
