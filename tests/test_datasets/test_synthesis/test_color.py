"""Tests of shls.datasets.synthesis.color."""
import numpy as np
import pytest

from shls.datasets.synthesis import ColorJitter


def _image():
    return np.random.default_rng(0).integers(0, 256, (16, 20, 3), dtype=np.uint8)


def test_zero_jitter_is_identity():
    image = _image()
    out = ColorJitter(0.0, 0.0, 0.0, 0.0)(image, np.random.default_rng(1))
    np.testing.assert_array_equal(out, image)


def test_jitter_is_deterministic_and_changes_the_image():
    jitter, image = ColorJitter(), _image()
    a = jitter(image, np.random.default_rng(3))
    b = jitter(image, np.random.default_rng(3))
    assert a.dtype == np.uint8 and a.shape == image.shape
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, image)


def test_hue_only_keeps_gray_pixels():
    gray = np.full((4, 4, 3), 100, np.uint8)
    out = ColorJitter(0.0, 0.0, 0.0, 0.5)(gray, np.random.default_rng(0))
    assert np.abs(out.astype(int) - 100).max() <= 1


def test_invalid_magnitudes():
    with pytest.raises(ValueError):
        ColorJitter(brightness=-0.1)
