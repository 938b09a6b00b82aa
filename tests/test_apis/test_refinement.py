"""VideoSegmenter with the refinement decoder: streaming, switches, memory updates."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import VideoSegmenter
from shls.registry import MODELS
from shls.utils import register_all_modules
from synthetic_clips import H, W, moving_squares

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures', 'configs')


def build(name):
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(osp.join(CONFIGS, name)).model)


@pytest.fixture(scope='module')
def model():
    return build('shls_tiny_refine.py')


def make_frame(t, rng, blue=True):
    """The red square moves 2 px per frame; the blue one is there by default."""
    return moving_squares(t, rng, step=2, blue=blue)


class Recorder(VideoSegmenter):
    """Keeps what :meth:`refine` returned and what :meth:`memorise` received."""

    def refine(self, ctx, pre):
        self.refined = super().refine(ctx, pre)
        return self.refined

    def memorise(self, ctx, seg):
        self.memorised = seg
        super().memorise(ctx, seg)


def test_streams_with_bounded_state_and_memory(model):
    seg = Recorder(model)
    rng = np.random.default_rng(0)
    shapes = None
    for t in range(6):
        img, gt = make_frame(t, rng)
        out = seg.step(img, gt if t == 0 else None)
        assert out.shape == (H, W) and out.dtype == np.uint8
        assert set(np.unique(out)) <= {0, 1, 2}
        for c, n in seg.memory.num_entries.items():
            assert n <= seg.memory.cap_factor * seg.memory.pool(c).num_first
        state = [tuple(x.shape) for x in (seg.refiner.first.l1, seg.refiner.prev.l1,
                                          seg.refiner.prev.att, seg.refiner.prev.obj_map)]
        assert shapes is None or state == shapes
        shapes = state
        if t:  # the memory got the refined decision
            assert seg.memorised is seg.refined
            probs = seg.memorised.probs
            assert probs.shape[1] == 3  # background + 2 objects
            torch.testing.assert_close(probs.sum(1), torch.ones(len(probs)))
    assert shapes[1] == (1, 8 + 3, H, W) and shapes[2] == (2, 4, H, W)
    first = seg.refiner.first.boxes
    cur = seg.refiner.prev.boxes
    assert ((cur[:, 2:] - cur[:, :2]) >= (first[:, 2:] - first[:, :2])).all()


def test_refine_off_is_the_presegmentation_of_the_same_weights(model):
    plain = build('shls_tiny.py')
    plain.load_state_dict(model.state_dict(), strict=False)
    a, b = VideoSegmenter(model, refine=False), VideoSegmenter(plain)
    assert a.refiner is None
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    for t in range(3):
        img, gt = make_frame(t, rng_a)
        img_b, _ = make_frame(t, rng_b)
        np.testing.assert_array_equal(a.step(img, gt if t == 0 else None),
                                      b.step(img_b, gt if t == 0 else None))


def test_no_roi_decodes_the_whole_frame(model):
    seg = VideoSegmenter(model, roi=False)
    rng = np.random.default_rng(2)
    for t in range(2):
        img, gt = make_frame(t, rng)
        seg.step(img, gt if t == 0 else None)
    assert seg.refiner.prev.boxes.tolist() == [[0, 0, W, H]] * 2


def test_an_object_annotated_later_restarts_the_refiner(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(3)
    img, gt = make_frame(0, rng, blue=False)
    seg.step(img, gt)
    assert seg.refiner.object_ids.tolist() == [1]
    img, gt = make_frame(1, rng)
    seg.step(img, gt, objects=[2])
    assert seg.refiner.object_ids.tolist() == [1, 2]
    img, _ = make_frame(2, rng)
    assert set(np.unique(seg.step(img))) <= {0, 1, 2}
    seg.reset()
    assert not seg.refiner.started


def test_bad_roi_options_are_rejected(model):
    with pytest.raises(ValueError, match='roi_margin'):
        VideoSegmenter(model, roi_margin=-0.1)
    with pytest.raises(ValueError, match="did you mean 'roi'"):
        VideoSegmenter(model, rio=False)
