"""Boxes instead of masks in the API: step(frame, box=...) and first_mask_from_prompt."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import VideoSegmenter
from shls.apis.box_prompt import feature_objectness, first_mask_from_prompt
from shls.models.prompts import BoxPromptToMask
from shls.registry import MODELS
from shls.utils import register_all_modules
from shls.utils.errors import ConfigError
from synthetic_clips import H, W, iou, moving_squares

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs', 'shls_tiny.py')
make_frame = moving_squares


@pytest.fixture(scope='module')
def model():
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(TINY_CONFIG).model)


def test_box_on_the_first_frame_then_one_added_mid_video(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(0)
    for t in range(10):
        img, gt = make_frame(t, rng, blue=t >= 5)
        if t == 0:
            out = seg.step(img, box=(8, 12, 28, 32))
            assert seg.objects == [1] and iou(out, gt, 1) > 0.8
        elif t == 5:
            out = seg.step(img, box=[(60, 40, 84, 58)], objects=[2])
            assert seg.objects == [1, 2] and iou(out, gt, 2) > 0.8
        else:
            out = seg.step(img)
    assert iou(out, gt, 1) > 0.5 and iou(out, gt, 2) > 0.5
    assert isinstance(seg.box_prompt, BoxPromptToMask)


def test_default_ids_follow_the_known_ones(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(1)
    img, _ = make_frame(0, rng, blue=True)
    seg.step(img, box=[(8, 12, 28, 32)])
    out = seg.step(img, box=(60, 40, 84, 58))  # no objects: the next free id
    assert seg.objects == [1, 2] and (out == 2).sum() > 200


def test_bad_box_calls(model):
    seg = VideoSegmenter(model)
    img, gt = make_frame(0, np.random.default_rng(2))
    with pytest.raises(ValueError, match='outside'):
        seg.step(img, box=(8, 12, 200, 32))
    with pytest.raises(ValueError, match='not both'):
        seg.step(img, gt, box=(8, 12, 28, 32))
    with pytest.raises(ValueError, match='distinct object ids'):
        seg.step(img, box=[(8, 12, 28, 32)], objects=[1, 2])
    with pytest.raises(ValueError, match='1..254'):
        seg.step(img, box=[(8, 12, 28, 32)], objects=[255])
    assert seg.frame_index == 0  # nothing was stepped


def test_first_mask_from_prompt(model):
    seg = VideoSegmenter(model)
    img, gt = make_frame(0, np.random.default_rng(3), blue=True)
    boxes = [(8, 12, 28, 32), (60, 40, 84, 58)]
    likely = feature_objectness(seg, img, boxes)
    assert len(likely) == 2 and likely[0].shape == (H, W) and not likely[0][:, 40:].any()
    out = first_mask_from_prompt(img, boxes=boxes, segmenter=seg)
    assert iou(out, gt, 1) > 0.8 and iou(out, gt, 2) > 0.8
    strokes = np.zeros((H, W), np.uint8)
    strokes[20:23, 14:24], strokes[48:50, 65:80] = 1, 2
    out = first_mask_from_prompt(img, scribble=strokes)
    assert iou(out, gt, 1) > 0.7 and iou(out, gt, 2) > 0.7
    with pytest.raises(ValueError, match='one of the two'):
        first_mask_from_prompt(img)


def test_prompt_superpixels_feed_the_feature_split(model):
    seg = VideoSegmenter(model, prompt_superpixels=dict(
        type='SLICSuperpixels', segment_area=40, compactness=30))
    own, calls = seg.prompt_superpixels, []
    seg.prompt_superpixels = lambda rgb: calls.append(rgb.shape) or own(rgb)
    img, gt = make_frame(0, np.random.default_rng(3), blue=True)
    boxes = [(8, 12, 28, 32), (60, 40, 84, 58)]
    likely = feature_objectness(seg, img, boxes)
    assert calls == [(H, W, 3)] and len(likely) == 2 and not likely[0][:, 40:].any()
    out = first_mask_from_prompt(img, boxes=boxes, segmenter=seg)
    assert len(calls) == 2 and iou(out, gt, 1) > 0.8 and iou(out, gt, 2) > 0.8
    assert VideoSegmenter(model).prompt_superpixels is None  # default: the test partition


def test_bad_prompt_superpixels(model):
    with pytest.raises(ConfigError, match='test_cfg.prompt_superpixels'):
        VideoSegmenter(model, prompt_superpixels=dict(compactness=20))
    with pytest.raises(ConfigError, match='prompt_superpixels'):
        VideoSegmenter(model, prompt_superpixels=dict(type='SLICSuperpixels', colour=2))
