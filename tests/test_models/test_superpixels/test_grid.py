"""GridSuperpixels."""
import numpy as np
import pytest

from shls.models.superpixels import GridSuperpixels
from shls.registry import MODELS


@pytest.mark.parametrize('n', [1, 100, 1024, 3000])
def test_grid_count_on_480p(n):
    labels = GridSuperpixels(n)(np.zeros((480, 854, 3), np.uint8))
    assert labels.dtype == np.int32 and labels.shape == (480, 854)
    count = labels.max() + 1
    assert np.unique(labels).size == count
    assert abs(count - n) <= max(2, 0.1 * n)


def test_grid_cells_are_near_square_and_even():
    labels = GridSuperpixels(1024)(np.zeros((480, 854), np.uint8))
    sizes = np.bincount(labels.ravel())
    assert sizes.max() - sizes.min() <= 2 * 480 // 24 + 1
    rows, cols = GridSuperpixels(1024).grid_shape(480, 854)
    assert 0.8 < (480 / rows) / (854 / cols) < 1.25


@pytest.mark.parametrize('shape', [(1, 1), (3, 5), (8, 2000)])
def test_grid_small_images(shape):
    labels = GridSuperpixels(1024)(np.zeros(shape, np.uint8))
    assert labels.shape == shape and labels.max() + 1 <= shape[0] * shape[1]
    assert np.unique(labels).size == labels.max() + 1


def test_grid_registry_and_validation():
    assert isinstance(MODELS.build(dict(type='GridSuperpixels', n_segments=64)),
                      GridSuperpixels)
    with pytest.raises(ValueError):
        GridSuperpixels(0)
