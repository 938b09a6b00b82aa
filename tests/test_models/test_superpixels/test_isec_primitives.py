"""ISEC's OpenCV primitives against scikit-image / a scikit-image reference pipeline."""
import os.path as osp

import cv2
import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import morphology

from shls.models.superpixels import ISECSuperpixels
from shls.models.superpixels._edges import canny_edges, gradients, non_maximum_suppression
from shls.models.superpixels._morphology import (area_closing, area_opening, remove_interior,
                                                 thin)


def _random_mask(seed: int, shape=(90, 120), p=0.6) -> np.ndarray:
    mask = np.random.default_rng(seed).random(shape) > p
    return ndi.binary_dilation(mask) if seed % 2 else mask


@pytest.mark.parametrize('seed', range(4))
@pytest.mark.parametrize('max_num_iter', [1, 3, -1])
def test_thin_matches_skimage(seed, max_num_iter):
    mask = _random_mask(seed)
    expected = morphology.thin(mask, max_num_iter=None if max_num_iter < 0 else max_num_iter)
    np.testing.assert_array_equal(thin(mask, max_num_iter), expected)


@pytest.mark.parametrize('seed', range(3))
def test_area_filters_match_skimage(seed):
    mask = _random_mask(seed, p=0.5)
    np.testing.assert_array_equal(
        area_closing(mask, 12), morphology.area_closing(mask, 12, connectivity=1) > 0)
    np.testing.assert_array_equal(
        area_opening(mask, 12), morphology.area_opening(mask, 12, connectivity=2) > 0)
    eroded = ndi.binary_erosion(mask, np.ones((3, 3)))
    np.testing.assert_array_equal(remove_interior(mask), mask & ~eroded)


def test_nms_on_a_step_edge():
    image = np.zeros((20, 30), np.float32)
    image[:, 15:] = 1.0
    gy, gx, mag = gradients(image, 1.0)
    keep = non_maximum_suppression(gy, gx, mag, low=0.1)
    inner = keep[2:-2, :25]  # away from the zero-padding edge of the bright side
    assert set(np.unique(np.nonzero(inner)[1])) == {14, 15}
    assert inner[:, 14:16].any(axis=1).all()
    assert not keep[0].any() and not keep[-1].any()  # image border excluded
    assert not non_maximum_suppression(gy, gx, mag, low=10.0).any()
    edges = canny_edges(image, 1.0, low=0.1, high=0.5)
    assert edges[2:-2, 14:16].any(axis=1).all() and not edges[2:-2, 3:12].any()


def _reference_contours(gen: ISECSuperpixels, gray: np.ndarray) -> np.ndarray:
    """The §2.1 steps written with scipy / scikit-image primitives (slow)."""
    acc = np.zeros(gray.shape, bool)
    for it in range(gen.nit):
        high, box = gen.high_threshold(it), gen.box_size(it)
        edges = canny_edges(gray, 1.0 + it, gen.low_ratio * high, high)
        dens = ndi.convolve(edges.astype(float), np.ones((box, box)), mode='constant')
        dens = (dens - dens.min()) / (dens.max() - dens.min())
        support = np.pad(dens > 0, box, mode='symmetric')
        support = morphology.thin(support, max_num_iter=(box - 1) // 2)[box:-box, box:-box]
        kept = support & (dens > gen.density_step * it)
        kept = morphology.area_closing(kept, 10 + 5 * it, connectivity=1) > 0
        acc |= kept & ~ndi.binary_erosion(kept, np.ones((3, 3)))
    acc = morphology.area_closing(acc, gen.post_area, connectivity=1) > 0
    f = gen.f_order
    acc = morphology.thin(np.pad(acc, f, mode='symmetric'), max_num_iter=(f - 1) // 2)
    acc = acc[f:-f, f:-f]
    acc &= ~ndi.binary_erosion(acc, np.ones((3, 3)))
    return morphology.area_opening(acc, gen.post_area, connectivity=2) > 0


def test_contours_match_reference_pipeline(davis_root):
    bgr = cv2.imread(osp.join(davis_root, 'JPEGImages', '480p', 'car-shadow', '00000.jpg'))
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)[150:330, 250:550])
    gray = rgb.astype(np.float32) @ (np.array([0.2125, 0.7154, 0.0721], np.float32) / 255)
    gen = ISECSuperpixels()
    np.testing.assert_array_equal(gen.contours(rgb), _reference_contours(gen, gray))
