"""GuidedFilterMask and test_cfg.edge_aware."""
import numpy as np
import pytest
import torch

from shls.models.segmentors import GuidedFilterMask, build_edge_aware
from shls.models.utils.guided_filter import guided_filter
from shls.utils.errors import ConfigError, UnknownNameError


@pytest.mark.parametrize('scale', [1.0, 0.5])
def test_jagged_superpixel_boundary_snaps_to_the_frame_edge(scale):
    # the frame has a straight colour edge at x = 32; the superpixel boundary zigzags
    # 3 px either side of it: the painted mask is wrong on 144 pixels, the edge-aware
    # mask follows the frame
    image = torch.zeros(1, 3, 48, 64)
    image[..., 32:] = 1.0
    image += 0.05 * torch.rand(1, 3, 48, 64, generator=torch.Generator().manual_seed(0))
    cols = torch.arange(64)[None].expand(48, 64)
    offset = torch.tensor([3, -3])[(torch.arange(48) // 4) % 2][:, None]
    superpixels = (cols >= 32 + offset).long()
    truth = (cols >= 32).long()
    probs = torch.tensor([[0.9, 0.1], [0.1, 0.9]])
    filt = GuidedFilterMask(radius=0.15, eps=1e-2, scale=scale)  # 0.15 x 39 px = 6 px
    out = filt(image, superpixels, probs)
    assert out.shape == (48, 64) and out.dtype == torch.int64
    assert (superpixels != truth).sum() == 144
    assert (out != truth).sum() <= 4


def test_confident_uniform_superpixels_keep_their_class():
    image = torch.rand(1, 3, 32, 32)
    superpixels = torch.zeros(32, 32, dtype=torch.int64)
    probs = torch.tensor([[0.1, 0.2, 0.7]])
    assert (GuidedFilterMask()(image, superpixels, probs) == 2).all()


@pytest.mark.parametrize('classes', [2, 4])
def test_the_implied_last_class_gives_the_filtered_argmax(classes):
    # probabilities that sum to 1 filter one map fewer; the argmax is that of filtering
    # every class (the guided filter is linear and keeps constants)
    g = torch.Generator().manual_seed(1)
    image = torch.rand(1, 3, 60, 80, generator=g)
    superpixels = (torch.arange(60)[:, None] // 6 * 10 + torch.arange(80)[None] // 8).long()
    probs = torch.softmax(3 * torch.randn(100, classes, generator=g), dim=1)
    filt = GuidedFilterMask(radius=0.5, eps=0.1, scale=1.0)  # 0.5 x 6.9 px = 3 px
    out = filt(image, superpixels, probs)
    guide = (image - image.mean(dim=(2, 3), keepdim=True)) / image.std()
    full = guided_filter(guide, probs.T[:, superpixels][None], 3, 0.1)[0].argmax(dim=0)
    assert (out == full).float().mean() >= 0.999
    scores = probs * 5  # not probabilities: every class is filtered
    assert torch.equal(filt(image, superpixels, scores),
                       guided_filter(guide, scores.T[:, superpixels][None], 3, 0.1)[0]
                       .argmax(dim=0))


@pytest.mark.parametrize('cfg, error', [
    ('GuidedFilterMask', ConfigError),
    (dict(radius=3), ConfigError),
    (dict(type='GuidedFilter'), UnknownNameError),
    (dict(type='GuidedFilterMask', radius=0), ConfigError),
    (dict(type='GuidedFilterMask', eps=0), ConfigError),
    (dict(type='GuidedFilterMask', scale=1.5), ConfigError),
    (dict(type='GuidedFilterMask', sigma=1), ConfigError),
])
def test_bad_configs_are_config_errors(cfg, error):
    with pytest.raises(error):
        build_edge_aware(cfg)


def test_build_returns_none_or_the_component():
    assert build_edge_aware(None) is None
    built = build_edge_aware(dict(type='GuidedFilterMask', radius=0.5))
    assert isinstance(built, GuidedFilterMask) and built.radius == 0.5
    assert 'radius=0.5' in repr(built)


def test_streaming_masks_change_but_the_memory_does_not():
    """test_cfg.edge_aware changes only the output pixels: the memory (what the next
    frames are matched against) is the same as with painted superpixel labels."""
    import os.path as osp

    from mmengine.config import Config

    from shls.apis import VideoSegmenter
    from shls.registry import MODELS
    from shls.utils import register_all_modules
    from synthetic_clips import moving_squares

    register_all_modules(init_default_scope=False)
    configs = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                       'fixtures', 'configs')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(osp.join(configs, 'shls_tiny.py')).model)
    rng = np.random.default_rng(0)
    frames = [moving_squares(t, rng, step=2, blue=True) for t in range(4)]
    plain, edge = (VideoSegmenter(model, refine=False, edge_aware=cfg) for cfg in
                   (None, dict(type='GuidedFilterMask', radius=1.0, eps=0.01, scale=1.0)))
    assert edge.core.edge_aware is not None and plain.core.edge_aware is None
    outs = []
    for seg in (plain, edge):
        outs.append([seg.step(img, gt if t == 0 else None)
                     for t, (img, gt) in enumerate(frames)])
    for a, b in zip(*outs):
        assert a.shape == b.shape and a.dtype == b.dtype
    assert plain.memory.num_entries == edge.memory.num_entries
