"""Tests of shls.datasets.synthesis.geometry."""
import numpy as np

from shls.datasets.synthesis.geometry import (random_affine, random_perspective, resize_pair,
                                              transformed_box, translation, warp_pair)


def test_random_affine_probability_zero_is_identity():
    matrix = random_affine(np.random.default_rng(0), (32, 32), prob=0.0)
    np.testing.assert_allclose(matrix, np.eye(3))


def test_random_affine_keeps_centre_for_linear_ops():
    rng = np.random.default_rng(5)
    matrix = random_affine(rng, (33, 33), translate=0.0, prob=1.0)
    np.testing.assert_allclose(matrix @ [16.0, 16.0, 1.0], [16.0, 16.0, 1.0], atol=1e-9)


def test_warp_pair_fills_uncovered_with_zero():
    image = np.full((10, 10, 3), 200, np.uint8)
    labels = np.ones((10, 10), np.uint8)
    out_img, out_lab = warp_pair(image, labels, translation(5, 0), (10, 10))
    assert (out_lab[:, :5] == 0).all() and (out_lab[:, 5:] == 1).all()
    assert (out_img[:, :5] == 0).all() and (out_img[:, 6:] == 200).all()


def test_transformed_box():
    mask = np.zeros((20, 20), np.uint8)
    mask[2:5, 3:9] = 1
    np.testing.assert_allclose(transformed_box(mask, translation(10, 1)), [13, 3, 18, 5])
    assert transformed_box(np.zeros((4, 4)), np.eye(3)) is None


def test_random_perspective_and_resize():
    image = np.full((30, 40, 3), 50, np.uint8)
    mask = np.ones((30, 40), np.uint8)
    out_img, out_mask = random_perspective(image, mask, np.random.default_rng(0), 0.1)
    assert out_img.shape[:2] == out_mask.shape and out_mask.mean() > 0.7
    assert 30 <= out_mask.shape[0] <= 37 and 40 <= out_mask.shape[1] <= 49
    small_img, small_lab = resize_pair(image, mask, (15, 20))
    assert small_img.shape == (15, 20, 3) and small_lab.shape == (15, 20)
