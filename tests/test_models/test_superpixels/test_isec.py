"""ISECSuperpixels: partition contract, presets, determinism, edge cases."""
import os.path as osp

import cv2
import numpy as np
import pytest

from shls.models.superpixels import ISECSuperpixels, contours_to_labels
from shls.registry import MODELS


def _frame(davis_root: str, seq: str = 'blackswan', name: str = '00000') -> np.ndarray:
    bgr = cv2.imread(osp.join(davis_root, 'JPEGImages', '480p', seq, f'{name}.jpg'))
    assert bgr is not None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _assert_partition(labels: np.ndarray, shape: tuple) -> None:
    assert labels.shape == shape
    assert labels.dtype == np.int32
    ids = np.unique(labels)
    np.testing.assert_array_equal(ids, np.arange(ids.size))  # contiguous, no gaps


@pytest.fixture(scope='module')
def shls_labels(davis_root):
    image = _frame(davis_root)
    return image, ISECSuperpixels()(image)


def test_full_partition_on_davis_frame(shls_labels):
    image, labels = shls_labels
    _assert_partition(labels, image.shape[:2])
    assert 600 <= labels.max() + 1 <= 1500  # SHLS preset on a 480p DAVIS frame


@pytest.mark.parametrize('seq', ['car-shadow'])
def test_second_sequence_partition(davis_root, seq):
    image = _frame(davis_root, seq, '00003')
    labels = ISECSuperpixels()(image)
    _assert_partition(labels, image.shape[:2])
    assert labels.max() + 1 > 100


def test_deterministic(davis_root, shls_labels):
    image, labels = shls_labels
    np.testing.assert_array_equal(ISECSuperpixels()(image.copy()), labels)


def test_presets_differ(shls_labels):
    image, labels = shls_labels
    standalone = ISECSuperpixels.standalone()
    assert standalone.nit == 6 and standalone.low_ratio == 0.4 and standalone.post_area == 80
    assert standalone.high_threshold(5) == pytest.approx(0.35)
    assert ISECSuperpixels().high_threshold(3) == pytest.approx(np.exp(0.06) / 10)
    coarse = standalone(image)
    _assert_partition(coarse, image.shape[:2])
    assert coarse.max() + 1 < 0.7 * (labels.max() + 1)


def test_f_order_controls_granularity(shls_labels):
    image, labels = shls_labels
    crop = np.ascontiguousarray(image[100:340, 200:520])
    fine = ISECSuperpixels(f_order=7)(crop).max() + 1
    default = ISECSuperpixels()(crop).max() + 1
    assert fine > default
    assert [ISECSuperpixels().box_size(it) for it in range(4)] == [11, 9, 7, 5]
    assert ISECSuperpixels(f_order=5, nit=3).box_size(2) == 3


def test_max_side_upsamples_labels(shls_labels):
    image, labels = shls_labels
    small = ISECSuperpixels(max_side=320)(image)
    _assert_partition(small, image.shape[:2])
    assert small.max() + 1 < labels.max() + 1


@pytest.mark.parametrize('shape', [(1, 1, 3), (3, 5, 3), (8, 2000, 3), (2000, 8, 3), (2, 2),
                                   (1, 40, 3)])
def test_tiny_and_thin_images(shape):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    _assert_partition(ISECSuperpixels()(image), shape[:2])


def test_thin_image_with_structure():
    image = np.zeros((8, 2000), np.uint8)
    image[:, 500:1000] = 200
    image[:, 1500:] = 100
    labels = ISECSuperpixels()(image)
    _assert_partition(labels, image.shape)
    assert labels.max() + 1 >= 2


def test_constant_image_is_one_segment():
    labels = ISECSuperpixels()(np.full((60, 80, 3), 123, np.uint8))
    _assert_partition(labels, (60, 80))
    assert labels.max() == 0


def test_input_formats_agree(shls_labels):
    image = shls_labels[0][:120, :160]
    expected = ISECSuperpixels()(image)
    rgba = np.concatenate([image, np.full(image.shape[:2] + (1, ), 7, np.uint8)], axis=2)
    np.testing.assert_array_equal(ISECSuperpixels()(rgba), expected)
    np.testing.assert_array_equal(ISECSuperpixels()(image / 255.0), expected)
    gray = ISECSuperpixels()(image[..., 1])
    _assert_partition(gray, image.shape[:2])


def test_two_regions_follow_the_edge():
    image = np.zeros((60, 80), np.uint8)
    image[:, 40:] = 255
    labels = ISECSuperpixels()(image)
    assert labels.max() == 1
    # Contour pixels on the step are absorbed by one side: the cut is within 2 px. (The
    # zero-padded blur also puts a contour one pixel inside the bright image border,
    # hence the margins.)
    left, right = labels[2:-2, 2:38], labels[2:-2, 42:-2]
    assert (left == left[0, 0]).all() and (right == right[0, 0]).all()
    assert left[0, 0] != right[0, 0]


def test_contours_to_labels_absorbs_everything():
    contours = np.zeros((9, 9), bool)
    contours[4, :] = True
    contours[:, 4] = True
    labels = contours_to_labels(contours)
    assert (labels > 0).all() and np.unique(labels).size == 4
    assert (contours_to_labels(np.ones((3, 3), bool)) == 1).all()
    # A thick band needs several absorption passes.
    band = np.zeros((20, 5), bool)
    band[3:17] = True
    assert (contours_to_labels(band) > 0).all()


def test_registry_and_validation():
    gen = MODELS.build(dict(type='ISECSuperpixels', f_order=9, nit=3))
    assert isinstance(gen, ISECSuperpixels) and 'f_order=9' in repr(gen)
    with pytest.raises(ValueError):
        ISECSuperpixels(nit=0)
    with pytest.raises(ValueError):
        ISECSuperpixels(nit=4, high_thresholds=(0.1, 0.2))
