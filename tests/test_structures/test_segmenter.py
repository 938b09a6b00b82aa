"""The declared streaming-segmenter interface: who satisfies it, and who builds one."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import VideoSegmenter
from shls.models.baselines import (CopyPropagator, DISFlowPropagation, DISFlowPropagator,
                                   FirstMaskCopy, MaskPropagator)
from shls.registry import MODELS
from shls.structures import (ModelBackedSegmenter, SegmenterFactory, StreamingSegmenter,
                             autocast_dtype_of)
from shls.utils import register_all_modules

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs', 'shls_tiny.py')


@pytest.fixture(scope='module')
def model():
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(TINY_CONFIG).model)


def test_video_segmenter_satisfies_the_protocols(model):
    seg = VideoSegmenter(model)
    assert isinstance(seg, StreamingSegmenter)
    assert isinstance(seg, ModelBackedSegmenter)
    assert seg.device == torch.device('cpu') and seg.objects == []
    assert autocast_dtype_of(seg) is seg.autocast_dtype
    assert not isinstance(model, SegmenterFactory)  # wrapped by the test loop instead


@pytest.mark.parametrize('factory, segmenter_class', [
    (FirstMaskCopy, CopyPropagator),
    (DISFlowPropagation, DISFlowPropagator),
])
def test_baselines_build_streaming_segmenters(factory, segmenter_class):
    model = factory()
    assert isinstance(model, SegmenterFactory)
    seg = model.build_segmenter()
    assert isinstance(seg, segmenter_class) and isinstance(seg, MaskPropagator)
    assert isinstance(seg, StreamingSegmenter)
    assert not isinstance(seg, ModelBackedSegmenter) and autocast_dtype_of(seg) is None
    assert seg.device == torch.device('cpu')


def test_mask_propagator_protocol_members_work():
    seg = FirstMaskCopy().build_segmenter()
    mask = np.zeros((6, 8), np.uint8)
    mask[1:3, 2:5] = 3
    frame = np.zeros((6, 8, 3), np.uint8)
    assert seg.objects == []
    np.testing.assert_array_equal(seg.step(frame, mask), mask)
    assert seg.objects == [3]
    seg.reset()
    assert seg.objects == []


def test_objects_without_the_members_do_not_satisfy():
    class Partial:
        def reset(self) -> None:
            pass

    assert not isinstance(Partial(), StreamingSegmenter)
    assert not isinstance(object(), SegmenterFactory)
