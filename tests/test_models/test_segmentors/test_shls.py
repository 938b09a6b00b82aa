import numpy as np
import pytest
import torch

from shls.registry import MODELS
from shls.structures import VideoDataSample


def _tiny_model(**kwargs):
    cfg = dict(type='SHLS',
               backbone=dict(type='SlimResNet', stem_channels=16,
                             stage_channels=(16, 32, 32, 32)),
               head=dict(type='SuperfeatureHead', l1_channels=16, l4_channels=32),
               loss=dict(type='NTXentLoss'),
               superpixels=dict(type='SLICSuperpixels', segment_area=30))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _clip(seed=0, size=48):
    rng = np.random.default_rng(seed)
    frames = np.zeros((3, size, size, 3), np.uint8)
    masks = np.zeros((3, size, size), np.int64)
    frames[:] = rng.integers(0, 60, (1, size, size, 3))
    for t in range(3):  # a bright square moving right
        x = 8 + 4 * t
        frames[t, 12:32, x:x + 16] = rng.integers(180, 255, (20, 16, 3))
        masks[t, 12:32, x:x + 16] = 1
    inputs = torch.from_numpy(frames).permute(0, 3, 1, 2).contiguous()
    return dict(inputs=[inputs], data_samples=[VideoDataSample(gt_masks=torch.from_numpy(masks))])


def test_training_lowers_the_loss_on_a_clip():
    torch.manual_seed(0)
    model = _tiny_model()
    optim = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        data = model.data_preprocessor(_clip(), True)
        loss = model(**data, mode='loss')['loss_contrastive']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3])


def test_frame0_superpixels_are_cut_by_mask_and_self_check_counts():
    model = _tiny_model().eval()
    data = model.data_preprocessor(_clip(), False)
    sample = model(**data, mode='predict')[0]
    spx = sample.superpixels[0].numpy()
    mask = sample.gt_masks[0].numpy()
    for s in np.unique(spx):
        assert len(np.unique(mask[spx == s])) == 1
    assert sample.knn_total == int(sum(len(np.unique(f)) for f in sample.superpixels[1:]))
    assert 0 <= sample.knn_correct <= sample.knn_total


def test_precomputed_superpixels_are_used():
    model = _tiny_model().eval()
    clip = _clip()
    grid = (torch.arange(48)[:, None] // 12 * 4 + torch.arange(48)[None] // 12)
    clip['data_samples'][0].superpixels = grid.expand(3, 48, 48).clone()
    data = model.data_preprocessor(clip, False)
    feats = model(**data, mode='tensor')
    assert feats.shape == (3 * 16, 32)


def test_denormalize_roundtrip_and_bad_mode():
    model = _tiny_model()
    frames = torch.randint(0, 256, (2, 3, 3, 8, 8), dtype=torch.uint8)
    pre = model.data_preprocessor
    assert torch.equal(pre.denormalize(pre.normalize(frames)), frames)
    with pytest.raises(ValueError, match='invalid mode'):
        model(torch.zeros(1, 3, 3, 8, 8), [VideoDataSample()], mode='bogus')
