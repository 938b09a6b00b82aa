"""What the partition tests share: the tiny model, a short clip of moving squares and a
boundary partition for it."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import VideoSegmenter, init_segmenter
from shls.registry import MODELS
from shls.utils import register_all_modules
from shls.utils.errors import ConfigError
from synthetic_clips import moving_squares

CONFIGS = osp.join(osp.dirname(osp.abspath(__file__)), 'fixtures', 'configs')
#: A finer partition along the boundaries for the tiny frames (test_cfg.boundary_partition).
FINER = dict(generator=dict(type='SLICSuperpixels', n_segments=240, max_num_iter=5),
             width=3, min_object_side=0.0)


def tiny_model():
    """The tiny SHLS of ``tests/fixtures/configs/shls_tiny.py``, seeded weights."""
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(osp.join(CONFIGS, 'shls_tiny.py')).model)


def squares_clip(n: int = 4):
    """``n`` frames (and id maps) of a red square moving past a still blue one."""
    rng = np.random.default_rng(0)
    return [moving_squares(t, rng, step=2, blue=True) for t in range(n)]


def eq4_only_option(key: str, value):
    """Check that ``test_cfg.<key>=value`` is refused with the ``'vote'``
    pre-segmentation and is a config option; returns the segmenter of the tiny config
    with it."""
    with pytest.raises(ConfigError, match=f"{key} needs presegmentation='eq4'"):
        VideoSegmenter(tiny_model(), presegmentation='vote', **{key: value})
    with pytest.warns(UserWarning, match='random weights'):
        return init_segmenter(osp.join(CONFIGS, 'shls_tiny.py'), device='cpu',
                              cfg_options={f'model.test_cfg.{key}': value})
