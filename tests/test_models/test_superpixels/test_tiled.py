"""TiledSuperpixels: the strips' partitions side by side, the same for any thread count."""
import numpy as np
import pytest

from shls.models.superpixels import SLICSuperpixels, TiledSuperpixels
from shls.registry import MODELS
from shls.utils import register_all_modules
from shls.utils.errors import ConfigError


def _image(seed: int = 0, shape=(60, 80, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, shape, dtype=np.uint8)


def test_each_strip_is_the_wrapped_generator_on_that_strip():
    register_all_modules(init_default_scope=False)
    gen = MODELS.build(dict(type='TiledSuperpixels', tiles=2,
                            generator=dict(type='SLICSuperpixels', segment_area=100)))
    image = _image()
    labels = gen(image)
    top = SLICSuperpixels(segment_area=100)(image[:30])
    bottom = SLICSuperpixels(segment_area=100)(image[30:])
    assert labels.shape == (60, 80) and labels.dtype == np.int32
    assert np.array_equal(labels[:30], top)
    assert np.array_equal(labels[30:], bottom + top.max() + 1)
    assert set(np.unique(labels)) == set(range(labels.max() + 1))
    # no superpixel crosses the border between the strips
    assert not set(np.unique(labels[:30])) & set(np.unique(labels[30:]))


def test_threads_do_not_change_the_result():
    slic = SLICSuperpixels(segment_area=50)
    image = _image(1, (71, 53, 3))
    one = TiledSuperpixels(slic, tiles=3, workers=1)(image)
    assert np.array_equal(one, TiledSuperpixels(slic, tiles=3, workers=3)(image))
    assert np.array_equal(one, TiledSuperpixels(slic, tiles=3)(image))


def test_more_tiles_than_rows_and_one_tile():
    slic = SLICSuperpixels(segment_area=4)
    image = _image(2, (3, 20, 3))
    labels = TiledSuperpixels(slic, tiles=8)(image)
    assert labels.shape == (3, 20)
    assert set(np.unique(labels)) == set(range(labels.max() + 1))
    assert np.array_equal(TiledSuperpixels(slic, tiles=1)(image), slic(image))


@pytest.mark.parametrize('kwargs', [dict(tiles=0), dict(tiles=1.5), dict(workers=0)])
def test_bad_arguments_are_config_errors(kwargs):
    with pytest.raises(ConfigError, match='TiledSuperpixels'):
        TiledSuperpixels(SLICSuperpixels(), **kwargs)
