"""Tests of shls.datasets.transforms.superpixels.ComputeSuperpixels."""
import numpy as np
import pytest

from shls.datasets.transforms import ComputeSuperpixels
from shls.registry import TRANSFORMS


def _clip(num_frames=2, size=(48, 64)):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (*size, 3), dtype=np.uint8) for _ in range(num_frames)]
    mask = np.zeros(size, np.uint8)
    mask[10:30, 7:41] = 1
    mask[35:45, 50:60] = 2
    return dict(frames=frames, masks=[mask] * num_frames)


def test_superpixels_per_frame_and_first_frame_cut():
    results = TRANSFORMS.build(dict(type='ComputeSuperpixels',
                                    generator=dict(type='SLICSuperpixels', n_segments=30)))(
                                        _clip())
    spx = results['superpixels']
    assert len(spx) == 2
    for s in spx:
        assert s.dtype == np.int32 and s.shape == (48, 64)
        assert np.array_equal(np.unique(s), np.arange(s.max() + 1))
    mask = results['masks'][0]
    for sid in np.unique(spx[0]):
        assert len(np.unique(mask[spx[0] == sid])) == 1


def test_without_cut_and_with_callable_generator():
    grid = lambda rgb: (np.arange(rgb.shape[1])[None, :] // 16).repeat(rgb.shape[0], 0)  # noqa
    results = ComputeSuperpixels(generator=grid, cut_first_frame=False)(_clip())
    np.testing.assert_array_equal(results['superpixels'][0], grid(results['frames'][0]))
    cut = ComputeSuperpixels(generator=grid)(_clip())['superpixels'][0]
    assert cut.max() > results['superpixels'][0].max()


def test_cut_needs_a_mask():
    clip = _clip()
    del clip['masks']
    with pytest.raises(KeyError, match='masks'):
        ComputeSuperpixels(generator=lambda rgb: np.zeros(rgb.shape[:2], np.int32))(clip)
