"""MMSegBackbone: an mmsegmentation backbone (registry scope 'mmseg') inside SHLS."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from synthetic_clips import moving_squares

REPO = Path(__file__).resolve().parents[3]
TINY_CONFIG = REPO / 'tests' / 'fixtures' / 'configs' / 'shls_tiny.py'
# A dilated ResNetV1c-18 as in mmseg's FCN / DeepLab configs: outputs at strides 4, 8, 8, 8.
RESNET_V1C_18 = dict(type='ResNetV1c', depth=18, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4),
                     init_cfg=None)


def build(**kwargs):
    with DefaultScope.overwrite_default_scope('shls'):
        return MODELS.build(dict(type='MMSegBackbone', backbone=RESNET_V1C_18, **kwargs))


def test_maps_follow_the_slim_resnet_contract():
    net = build().eval()
    assert (net.l1_channels, net.l4_channels) == (64, 512)
    l1, l4 = net(torch.randn(2, 3, 50, 70))
    assert l1.shape == (2, 64, 50, 70) and l4.shape == (2, 512, 13, 18)


def test_l1_at_its_own_stride_and_other_outputs():
    net = build(l1_at_input_size=False, l1_index=1, l4_index=2).eval()
    l1, l4 = net(torch.randn(1, 3, 64, 96))
    assert l1.shape == (1, 128, 8, 12) and l4.shape == (1, 256, 16, 24)


def test_an_output_the_backbone_lacks_is_a_config_error():
    with pytest.raises(ConfigError, match='l4_index=7'):
        build(l4_index=7)


def test_shls_with_an_mmseg_backbone_segments_a_clip():
    from shls.apis import init_segmenter
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.backbone = dict(type='MMSegBackbone', backbone=RESNET_V1C_18)
    cfg.model.head.update(l1_channels=64, l4_channels=512)
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        segmenter = init_segmenter(cfg, device='cpu')
    rng = np.random.default_rng(0)
    frame, gt = moving_squares(0, rng)
    first = segmenter.step(frame, gt)
    second = segmenter.step(moving_squares(1, rng)[0])
    assert np.array_equal(first, gt) and second.shape == gt.shape
    assert set(np.unique(second)) <= {0, 1}
