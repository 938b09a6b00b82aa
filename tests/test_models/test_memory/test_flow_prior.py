"""The motion prior: the previous mask moved by optical flow (shls.models.memory.flow_prior)."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from shls.models.memory.flow_prior import (FlowWarper, check_flow_prior, flow_prior_scores,
                                           occluded)

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                       'fixtures', 'configs', 'shls_tiny.py')


def test_scores_are_the_fraction_of_each_superpixel_per_class():
    spx = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 1]])
    warped = torch.tensor([[0, 3, 3, 3], [0, 0, 3, 255]])  # 255: no class
    frac = flow_prior_scores(spx, warped, torch.tensor([0, 3]), 2)
    assert torch.allclose(frac, torch.tensor([[0.75, 0.25], [0.0, 0.75]]))


def textured(rng: np.random.Generator, shift: int) -> np.ndarray:
    base = (rng.random((60, 100)) * 255).astype(np.uint8)
    base = np.repeat(np.repeat(base, 2, 0), 2, 1)[:120, :200]
    return np.ascontiguousarray(np.stack([np.roll(base, shift, axis=1)] * 3, -1))


@pytest.mark.parametrize('scale', [1.0, 0.5])  # the frame's size (no resizing) and half
def test_warper_moves_the_mask_with_the_frame(scale):
    rng = np.random.default_rng(0)
    prev = textured(rng, 0)
    cur = textured(np.random.default_rng(0), 6)   # everything moved 6 px right
    mask = np.zeros((120, 200), np.uint8)
    mask[40:80, 60:120] = 1
    expected = np.roll(mask, 6, axis=1)
    for preset in ('medium', 'fast'):
        warped, untraced = FlowWarper(scale=scale, preset=preset,
                                      occlusion_check=True).warp(mask, prev, cur)
        assert warped.shape == untraced.shape == mask.shape
        assert (warped == expected).mean() > 0.97, preset
        assert (warped == mask).mean() < (warped == expected).mean()
        assert untraced[:, 20:180].mean() < 0.05  # one rigid motion: traced


def test_occluded_marks_the_pixels_the_forward_flow_does_not_bring_back():
    back = np.zeros((4, 6, 2), np.float32)
    back[..., 0] = -2.0                    # everything came from 2 px to the left
    forward = np.zeros((4, 6, 2), np.float32)
    forward[..., 0] = 2.0                  # ... and goes 2 px right: consistent
    forward[:, 1, 0] = 0.0                 # except what stood at column 1
    untraced = occluded(back, forward)
    assert untraced.dtype == bool
    assert untraced[:, 3].all() and not untraced[:, [2, 4, 5]].any()
    forward[:, 1, 0] = 2.0
    assert not occluded(back + 0.3, forward - 0.2).any()  # sub-pixel noise passes


def smooth_texture(seed: int, height: int, width: int) -> np.ndarray:
    cells = (np.random.default_rng(seed).random((height // 8, width // 8)) * 255)
    return cv2.resize(cells.astype(np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)


def object_over_still_background(offset: int) -> np.ndarray:
    """A textured object at rows 80..160, columns 100+offset..200+offset over a still
    background of another texture (the object's texture moves with it)."""
    frame = smooth_texture(2, 240, 320)
    frame[80:160, 100 + offset:200 + offset] = smooth_texture(3, 80, 100)
    return np.ascontiguousarray(np.stack([frame] * 3, -1))


def test_occlusion_check_finds_the_background_the_object_uncovered():
    mask = np.zeros((240, 320), np.uint8)
    mask[80:160, 100:200] = 1
    prev, cur = object_over_still_background(0), object_over_still_background(4)
    plain, none = FlowWarper(scale=1.0).warp(mask, prev, cur)
    warped, untraced = FlowWarper(scale=1.0, occlusion_check=True).warp(mask, prev, cur)
    assert none is None and np.array_equal(plain, warped)
    assert untraced.shape == mask.shape and untraced.dtype == bool
    # the strip the object left (columns 100..104), away from its corners, is untraced ...
    assert untraced[85:155, 101:103].mean() > 0.6
    # ... the object's new place and the background far from it are traced
    assert untraced[85:155, 112:195].mean() < 0.05
    assert not untraced[:60].any() and not untraced[200:].any()


def test_an_object_that_left_gives_its_bonus_to_every_other_class():
    spx = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 1]])
    warped = torch.tensor([[0, 3, 5, 5], [0, 0, 3, 255]])
    untraced = torch.tensor([[True, True, True, False], [False, False, False, True]])
    classes = torch.tensor([0, 3, 5])
    frac = flow_prior_scores(spx, warped, classes, 2, untraced)
    # superpixel 0: three background pixels (one untraced: background keeps its own), and
    # object 3 left one pixel: background and object 5 get it (rows may exceed 1)
    assert torch.allclose(frac[0], torch.tensor([1.0, 0.0, 0.25]))
    # superpixel 1: object 5 left one pixel (to 0 and 3), 5 and 3 hold one each, void none
    assert torch.allclose(frac[1], torch.tensor([0.25, 0.5, 0.25]))
    assert torch.equal(flow_prior_scores(spx, warped, classes, 2),
                       flow_prior_scores(spx, warped, classes, 2, torch.zeros_like(untraced)))


@pytest.mark.parametrize('bad', [dict(), dict(weight=-1), dict(weight=1, scale=0),
                                 dict(weight=1, scal=0.5), dict(weight=1, preset='slow'),
                                 dict(weight=1, occlusion_check='yes'), 1.0])
def test_bad_settings(bad):
    with pytest.raises(ValueError, match='flow_prior'):
        check_flow_prior(bad)


def test_segmenter_follows_the_motion_with_the_prior_and_not_at_zero_weight():
    from shls.apis import init_segmenter
    frames = [textured(np.random.default_rng(1), 3 * t) for t in range(4)]  # panning
    first = np.zeros((120, 200), np.uint8)
    first[40:80, 60:120] = 1
    masks = {}
    for weight in (None, 0.0, 5.0):
        torch.manual_seed(0)
        with pytest.warns(UserWarning, match='random weights'):
            seg = init_segmenter(TINY_CONFIG, device='cpu', presegmentation='eq4',
                                 flow_prior=None if weight is None else dict(weight=weight))
        masks[weight] = [seg.step(f, first if t == 0 else None) for t, f in enumerate(frames)]
    assert all(np.array_equal(a, b) for a, b in zip(masks[None], masks[0.0]))
    # a strong prior follows the motion: the object's centre moves with the pan (3 px
    # per frame) instead of wandering over the look-alike texture
    def centre_error(masks):
        return np.mean([abs(np.nonzero(m == 1)[1].mean() - (89.5 + 3 * t))
                        for t, m in enumerate(masks) if t])
    assert centre_error(masks[5.0]) < 0.5 * centre_error(masks[None])
