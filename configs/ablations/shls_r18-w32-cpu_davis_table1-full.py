# Table 1 (full) for the shipped CPU model; see shls_r18-w32-cpu_davis_table1-preseg-only.py.
_base_ = ['./shls_r18-w32-cpu_davis_table1-preseg-only.py']
test_cfg = dict(segmenter_cfg=dict(refine=True, roi=True))
