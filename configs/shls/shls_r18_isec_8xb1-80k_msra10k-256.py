# The paper's recipe with ISEC superpixels (the paper's choice) instead of SLIC, for
# training and test alike.
_base_ = ['./shls_r18_slic_8xb1-80k_msra10k-256.py']
model = dict(superpixels=dict(_delete_=True, type='ISECSuperpixels'))
