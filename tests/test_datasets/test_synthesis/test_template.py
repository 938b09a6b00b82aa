"""Tests of shls.datasets.synthesis.template."""
import numpy as np

from shls.datasets.synthesis import ColorJitter, TemplateAugmenter


def _template():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    labels = np.zeros((90, 120), np.uint8)
    labels[20:60, 30:70] = 1
    labels[65:80, 90:110] = 2
    return image, labels


def test_first_frame_is_resized_template():
    aug = TemplateAugmenter((48, 64), ColorJitter())
    image, labels = _template()
    frame, mask = aug.first_frame(image, labels)
    assert frame.shape == (48, 64, 3) and mask.shape == (48, 64)
    assert set(np.unique(mask)) == {0, 1, 2}


def test_next_frames_keep_the_objects_in_view():
    aug = TemplateAugmenter((64, 64), ColorJitter())
    frame0, mask0 = aug.first_frame(*_template())
    for seed in range(20):
        frame, mask = aug.next_frame(frame0, mask0, np.random.default_rng(seed))
        assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8
        assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1, 2}
        # Affine scale >= 0.8 and resize >= 0.8 → at least ~0.6^2 of the area, and the
        # crop contains the objects' box up to the 20 px jitter.
        assert (mask > 0).sum() > 0.25 * (mask0 > 0).sum()


def test_uncovered_pixels_are_background():
    aug = TemplateAugmenter((64, 64), ColorJitter(0, 0, 0, 0), rotate=30, affine_prob=1.0,
                            resize=(0.8, 0.8))
    frame0 = np.full((64, 64, 3), 255, np.uint8)
    mask0 = np.ones((64, 64), np.uint8)
    frame, mask = aug.next_frame(frame0, mask0, np.random.default_rng(0))
    assert (mask == 0).any()
    assert (frame[mask == 0] < 255).all()


def test_deterministic():
    aug = TemplateAugmenter((32, 32), ColorJitter())
    frame0, mask0 = aug.first_frame(*_template())
    a = aug.next_frame(frame0, mask0, np.random.default_rng(4))
    b = aug.next_frame(frame0, mask0, np.random.default_rng(4))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
