"""Tests of shls.datasets.synthesis.objects."""
import numpy as np
import pytest

from shls.datasets.synthesis import ColorJitter, ObjectAugmenter, ObjectPaster, ObjectPatch
from shls.datasets.synthesis import crop_object
from shls.datasets.synthesis.objects import enlarged_region


def _patch(h=20, w=30, value=77):
    return ObjectPatch(np.full((h, w, 3), value, np.uint8), np.ones((h, w), np.uint8))


def test_crop_object():
    image = np.arange(10 * 12 * 3, dtype=np.uint8).reshape(10, 12, 3)
    labels = np.zeros((10, 12), np.int32)
    labels[2:5, 3:9] = 2
    patch = crop_object(image, labels, 2)
    assert patch.image.shape == (3, 6, 3) and patch.mask.all()
    np.testing.assert_array_equal(patch.image, image[2:5, 3:9])
    with pytest.raises(ValueError):
        crop_object(image, labels, 1)


def test_augmenter_short_side_range():
    aug = ObjectAugmenter((100, 200), ColorJitter(), short_side=(0.1, 0.6), perspective=0.1)
    rng = np.random.default_rng(0)
    for _ in range(10):
        out = aug(_patch(), rng)
        assert out.image.shape[:2] == out.mask.shape and out.mask.dtype == np.uint8
        # Short side drawn in [10, 60] px, then the perspective moves corners by <= 10 %.
        assert 7 <= min(out.mask.shape) <= 75
        assert out.mask[0].any() and out.mask[:, 0].any()  # cropped to the mask box


def test_paster_accepts_on_empty_frame():
    frame, labels = np.zeros((40, 40, 3), np.uint8), np.zeros((40, 40), np.uint8)
    box = ObjectPaster()(frame, labels, _patch(10, 10), 3, np.array([0, 0, 40, 40]),
                         np.random.default_rng(0))
    x0, y0, x1, y1 = box
    assert (x1 - x0, y1 - y0) == (10, 10)
    assert (labels[y0:y1, x0:x1] == 3).all() and (frame[y0:y1, x0:x1] == 77).all()
    assert (labels == 3).sum() == 100


def test_paster_rejects_heavy_occlusion_and_leaves_frame_untouched():
    frame, labels = np.zeros((40, 40, 3), np.uint8), np.zeros((40, 40), np.uint8)
    labels[10:20, 10:20] = 1
    before = frame.copy(), labels.copy()
    box = ObjectPaster(max_occlusion=0.5, tries=3)(
        frame, labels, _patch(12, 12), 2, np.array([9, 9, 21, 21]), np.random.default_rng(0))
    assert box is None
    np.testing.assert_array_equal(frame, before[0])
    np.testing.assert_array_equal(labels, before[1])


def test_paster_allows_partial_occlusion():
    frame, labels = np.zeros((40, 40, 3), np.uint8), np.zeros((40, 40), np.uint8)
    labels[0:10, 0:20] = 1
    paster = ObjectPaster(max_occlusion=0.5)
    # Hiding exactly half is rejected (the object must keep > 50 %), 40 % is accepted.
    assert paster(frame, labels, _patch(5, 20), 2, np.array([0, 0, 20, 5]),
                  np.random.default_rng(0)) is None
    box = paster(frame, labels, _patch(4, 20), 2, np.array([0, 0, 20, 4]),
                 np.random.default_rng(0))
    assert box is not None and (labels == 1).sum() == 120


def test_paster_clips_at_the_border_and_rejects_empty_patch():
    frame, labels = np.zeros((20, 20, 3), np.uint8), np.zeros((20, 20), np.uint8)
    box = ObjectPaster()(frame, labels, _patch(30, 30), 1, np.array([0, 0, 20, 20]),
                         np.random.default_rng(0))
    np.testing.assert_array_equal(box, [0, 0, 20, 20])
    assert (labels == 1).all()
    empty = ObjectPatch(np.zeros((3, 3, 3), np.uint8), np.zeros((3, 3), np.uint8))
    assert ObjectPaster()(frame, labels, empty, 2, np.array([0, 0, 20, 20]),
                          np.random.default_rng(0)) is None


def test_enlarged_region():
    region = enlarged_region(np.array([40, 40, 60, 50]), 0.1, (100, 200))
    np.testing.assert_array_equal(region, [20, 30, 80, 60])
    np.testing.assert_array_equal(enlarged_region(np.array([0, 0, 10, 10]), 1.0, (100, 200)),
                                  [0, 0, 200, 100])
