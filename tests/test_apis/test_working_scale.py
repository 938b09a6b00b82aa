"""Segmenting at a working scale: sizes back to the frame's, no object lost, timing."""
import numpy as np
import pytest
import torch

from shls.apis import VideoSegmenter
from shls.apis.working_scale import resize_mask, upscale_labels, working_size
from shls.utils.stage_timer import StageTimer

from .test_video_segmenter import H, W, build_model, iou, make_frame


def test_working_size_rounds_and_keeps_native():
    assert working_size((480, 854), 1.0) == (480, 854)
    assert working_size((480, 854), 0.5) == (240, 427)
    assert working_size((10, 10), 0.1) == (8, 8)


def test_resize_mask_keeps_an_object_smaller_than_the_sampling_step():
    mask = np.zeros((40, 40), np.uint8)
    mask[10:30, 10:30] = 1
    mask[1, 1] = 7  # one pixel: nearest sampling at 1/4 skips it
    small = resize_mask(mask, (10, 10))
    assert small.shape == (10, 10)
    assert set(np.unique(small)) == {0, 1, 7}
    assert small[0, 0] == 7


def test_upscale_labels_is_nearest():
    labels = torch.tensor([[0, 1], [2, 3]])
    up = upscale_labels(labels, (4, 4))
    assert up.dtype == labels.dtype
    assert torch.equal(up, labels.repeat_interleave(2, 0).repeat_interleave(2, 1))


def test_half_scale_tracks_the_object_at_the_frame_size():
    seg = VideoSegmenter(build_model(), working_scale=0.5)
    seg.timer = StageTimer()
    rng = np.random.default_rng(0)
    scores = []
    for t in range(6):
        img, gt = make_frame(t, rng)
        out = seg.step(img, gt if t == 0 else None)
        assert out.shape == (H, W)
        scores.append(iou(out, gt, 1))
    assert min(scores[1:]) > 0.5
    assert {'superpixels', 'features', 'memory_query', 'segment'} <= set(seg.timer.seconds)
    assert seg.timer.calls['features'] == 6


@pytest.mark.parametrize('scale', [0.0, 1.5])
def test_working_scale_out_of_range_is_rejected(scale):
    with pytest.raises(ValueError, match='working_scale'):
        VideoSegmenter(build_model(), working_scale=scale)


def test_cpu_autocast_bfloat16_gives_nearly_the_same_masks():
    model = build_model()
    full, half = VideoSegmenter(model), VideoSegmenter(model, autocast=True)
    rng = np.random.default_rng(1)
    agree = []
    for t in range(4):
        img, gt = make_frame(t, rng)
        a = full.step(img, gt if t == 0 else None)
        b = half.step(img, gt if t == 0 else None)
        agree.append((a == b).mean())
    assert min(agree) > 0.97
