"""Superpixel quality measures on hand-made label maps."""
import numpy as np
import pytest

from shls.evaluation.functional.superpixel_quality import (
    achievable_segmentation_accuracy, boundary_map, boundary_recall, undersegmentation_error)


def _halves(width: int = 10, cut: int = 5) -> np.ndarray:
    labels = np.zeros((10, width), np.int64)
    labels[:, cut:] = 1
    return labels


def test_perfect_and_refining_partitions():
    gt = _halves()
    assert achievable_segmentation_accuracy(gt, gt) == 1.0
    assert undersegmentation_error(gt, gt) == 0.0
    assert boundary_recall(gt, gt, tolerance=0) == 1.0
    fine = np.arange(100).reshape(10, 10)  # every pixel its own superpixel
    assert achievable_segmentation_accuracy(fine, gt) == 1.0
    assert undersegmentation_error(fine, gt) == 0.0


def test_known_undersegmentation():
    gt = _halves()
    spx = _halves(cut=7)  # superpixel 0 = 50 px of gt 0 + 20 px of gt 1
    assert achievable_segmentation_accuracy(spx, gt) == pytest.approx(0.8)
    assert undersegmentation_error(spx, gt) == pytest.approx(0.4)  # min(50,20) + min(20,50)
    one = np.zeros((10, 10), int)
    assert achievable_segmentation_accuracy(one, gt) == pytest.approx(0.5)
    assert undersegmentation_error(one, gt) == pytest.approx(1.0)


def test_arbitrary_ids_and_dtypes():
    gt = _halves() * 255
    spx = _halves(cut=7) * 10**9 - 3
    assert achievable_segmentation_accuracy(spx, gt.astype(np.uint8)) == pytest.approx(0.8)
    assert undersegmentation_error(spx.astype(np.int64), gt) == pytest.approx(0.4)


def test_boundary_recall_tolerance():
    gt = _halves()
    shifted = _halves(cut=7)  # boundary 2 px away
    assert boundary_recall(shifted, gt, tolerance=0) == 0.0
    assert boundary_recall(shifted, gt, tolerance=1) == 0.0
    assert boundary_recall(shifted, gt, tolerance=2) == 1.0
    assert boundary_recall(_halves(cut=6), gt, tolerance=1) == 1.0
    stripes = np.repeat(np.arange(30)[None] // 10, 10, axis=0)  # GT edges at cols 9, 19
    merged = np.minimum(stripes, 1)  # recovers the first edge only
    assert boundary_recall(merged, stripes, tolerance=2) == pytest.approx(0.5)
    assert boundary_recall(np.zeros((10, 10), int), np.zeros((10, 10), int)) == 1.0


def test_boundary_map_is_one_sided():
    edge = boundary_map(_halves())
    assert edge[:, 4].all() and edge.sum() == 10


def test_shape_mismatch():
    with pytest.raises(ValueError):
        achievable_segmentation_accuracy(np.zeros((3, 4), int), np.zeros((4, 3), int))
