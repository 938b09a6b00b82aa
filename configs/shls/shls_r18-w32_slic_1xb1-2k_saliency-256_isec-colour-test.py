# The CPU recipe's model at test time with the fastest measured setting: ISEC superpixels
# (~0.1 s per 480p frame instead of ~0.35 s for SLIC) and the hand-crafted colour block
# appended to the learned superfeatures. Training is unchanged (SLIC), so the same
# checkpoint serves both; measured on ../shared/data/davis: see the README.
#   python tools/test.py configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256_isec-colour-test.py CKPT
_base_ = ['./shls_r18-w32_slic_1xb1-2k_saliency-256.py']
model = dict(
    test_cfg=dict(
        superpixels=dict(_delete_=True, type='ISECSuperpixels'),
        handcrafted=dict(_delete_=True, type='SuperpixelColourStats')))
