"""CachedSuperpixels: hits, misses, parameters in the key, corrupt entries."""
import os
import os.path as osp

import numpy as np
import pytest

from shls.models.superpixels import CachedSuperpixels, GridSuperpixels


def _image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (24, 32, 3), dtype=np.uint8)


def test_hit_and_miss(tmp_path):
    cache = CachedSuperpixels(dict(type='GridSuperpixels', n_segments=12), str(tmp_path))
    first = cache(_image())
    assert (cache.hits, cache.misses) == (0, 1)
    second = cache(_image())
    assert (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, GridSuperpixels(12)(_image()))
    assert second.dtype == np.int32
    cache(_image(1))
    assert cache.misses == 2
    assert not [f for _, _, fs in os.walk(tmp_path) for f in fs if f.startswith('.tmp-')]


def test_generator_parameters_change_the_key(tmp_path):
    a = CachedSuperpixels(GridSuperpixels(12), str(tmp_path))
    b = CachedSuperpixels(GridSuperpixels(48), str(tmp_path))
    assert a.key(_image()) != b.key(_image())
    a(_image())
    assert b(_image()).max() + 1 > 12 and b.misses == 1
    # A new wrapper around an equal generator reuses the stored entry.
    c = CachedSuperpixels(GridSuperpixels(12), str(tmp_path))
    c(_image())
    assert c.hits == 1


@pytest.mark.parametrize('payload', [b'', b'not a zip file', None])
def test_corrupt_entry_is_recomputed(tmp_path, payload):
    cache = CachedSuperpixels(GridSuperpixels(12), str(tmp_path))
    expected = cache(_image())
    path = cache.path(cache.key(_image()))
    assert osp.isfile(path)
    if payload is None:  # a valid file that belongs to another key
        np.savez_compressed(path, labels=np.zeros((24, 32), np.uint16), key=np.array('x'))
    else:
        with open(path, 'wb') as f:
            f.write(payload)
    with pytest.warns(UserWarning, match='superpixel cache entry'):
        again = cache(_image())
    np.testing.assert_array_equal(again, expected)
    assert cache.misses == 2
    cache(_image())  # the entry was rewritten
    assert cache.hits == 1


def test_rejects_non_generators(tmp_path):
    with pytest.raises(TypeError):
        CachedSuperpixels(object(), str(tmp_path))
