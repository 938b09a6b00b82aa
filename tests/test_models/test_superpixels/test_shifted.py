"""ShiftedSuperpixels: a partition whose borders fall between those of the unshifted one."""
import numpy as np
import pytest

from shls.models.superpixels import GridSuperpixels, ShiftedSuperpixels, SLICSuperpixels
from shls.registry import MODELS
from shls.utils.errors import ConfigError


def _image(h=40, w=60):
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_shifted_grid_moves_the_borders_by_the_shift():
    grid = GridSuperpixels(n_segments=24)
    plain = grid(_image())
    shifted = ShiftedSuperpixels(grid, shift=5)(_image())
    assert shifted.shape == plain.shape and shifted.dtype == np.int32
    assert shifted.min() == 0 and shifted.max() == len(np.unique(shifted)) - 1
    rows = np.flatnonzero(np.diff(plain[:, 0]) != 0)
    rows_shifted = np.flatnonzero(np.diff(shifted[:, 0]) != 0)
    assert len(rows) and not set(rows) & set(rows_shifted)


@pytest.mark.parametrize('shift', [0, (0, 3), (2, 0)])
def test_zero_shift_is_the_wrapped_generator_and_axes_are_separate(shift):
    slic = SLICSuperpixels(n_segments=20)
    image = _image()
    out = ShiftedSuperpixels(slic, shift=shift)(image)
    if shift == 0:
        np.testing.assert_array_equal(out, slic(image))
    assert out.shape == image.shape[:2]


def test_a_shift_wider_than_the_frame_pads_by_edge():
    out = ShiftedSuperpixels(GridSuperpixels(n_segments=4), shift=8)(_image(4, 6))
    assert out.shape == (4, 6)


@pytest.mark.parametrize('shift', [-1, 1.5, (1, -2)])
def test_bad_shifts_are_config_errors(shift):
    with pytest.raises(ConfigError, match='shift must be'):
        ShiftedSuperpixels(GridSuperpixels(), shift=shift)


def test_built_from_a_config():
    built = MODELS.build(dict(type='ShiftedSuperpixels', shift=(1, 2),
                              generator=dict(type='SLICSuperpixels', n_segments=10)))
    assert built.shift == (1, 2) and isinstance(built.generator, SLICSuperpixels)
