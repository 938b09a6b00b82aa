# The CPU recipe with ISEC superpixels for training and test alike.
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py']
model = dict(superpixels=dict(_delete_=True, type='ISECSuperpixels'))
