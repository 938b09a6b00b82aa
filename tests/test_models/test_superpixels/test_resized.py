"""ResizedSuperpixels: full-size contiguous labels from a smaller run, cheaper."""
import numpy as np
import pytest

from shls.models.superpixels import GridSuperpixels, ResizedSuperpixels
from shls.registry import MODELS
from shls.utils import register_all_modules


def test_labels_have_the_frame_size_and_the_wrapped_count():
    register_all_modules(init_default_scope=False)
    gen = MODELS.build(dict(type='ResizedSuperpixels', scale=0.5,
                            generator=dict(type='GridSuperpixels', n_segments=16)))
    image = np.random.default_rng(0).integers(0, 255, (64, 96, 3), dtype=np.uint8)
    labels = gen(image)
    small = GridSuperpixels(n_segments=16)(image[::2, ::2])
    assert labels.shape == (64, 96) and labels.dtype == np.int32
    assert labels.max() + 1 == small.max() + 1
    assert set(np.unique(labels)) == set(range(labels.max() + 1))


def test_scale_one_is_the_wrapped_generator():
    image = np.random.default_rng(1).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    grid = GridSuperpixels(n_segments=12)
    assert np.array_equal(ResizedSuperpixels(grid, 1.0)(image), grid(image))


@pytest.mark.parametrize('scale', [0, 1.5])
def test_bad_scale(scale):
    with pytest.raises(ValueError, match='scale'):
        ResizedSuperpixels(GridSuperpixels(), scale)
