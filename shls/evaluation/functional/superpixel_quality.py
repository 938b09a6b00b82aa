"""Superpixel quality measures against a ground-truth segmentation.

* :func:`boundary_recall` — fraction of ground-truth boundary pixels that lie within a
  tolerance of a superpixel boundary.
* :func:`undersegmentation_error` — Neubert & Protzel's "corrected" undersegmentation
  error (leakage of superpixels across ground-truth segments).
* :func:`achievable_segmentation_accuracy` — ASA, the pixel accuracy of the best
  segmentation that assigns each superpixel a single ground-truth label.

Label maps are ``(H, W)`` integer arrays with arbitrary ids; all measures are vectorised
(a ``bincount`` contingency table, one dilation).
"""
from typing import Tuple

import cv2
import numpy as np


def boundary_map(labels: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower 4-neighbour carries another label (one-sided, thin)."""
    labels = np.asarray(labels)
    edge = np.zeros(labels.shape, bool)
    edge[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    edge[:-1, :] |= labels[:-1, :] != labels[1:, :]
    return edge


def boundary_recall(superpixels: np.ndarray, gt: np.ndarray, tolerance: int = 2) -> float:
    """Boundary recall: share of ground-truth boundary pixels near a superpixel boundary.

    A ground-truth boundary pixel is recalled when a superpixel boundary pixel lies within
    Euclidean distance ``tolerance`` of it (a disk of radius ``tolerance``). Boundaries
    are taken from :func:`boundary_map`.

    Args:
        superpixels: ``(H, W)`` superpixel labels.
        gt: ``(H, W)`` ground-truth labels.
        tolerance: Radius in pixels (0 = exact match).

    Returns:
        Recall in ``[0, 1]``; 1.0 when the ground truth has no boundary.
    """
    _check_shapes(superpixels, gt)
    gt_edge = boundary_map(gt)
    n_gt = int(gt_edge.sum())
    if n_gt == 0:
        return 1.0
    spx_edge = boundary_map(superpixels).view(np.uint8)
    if tolerance > 0:
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                         (2 * tolerance + 1, 2 * tolerance + 1))
        spx_edge = cv2.dilate(spx_edge, disk)
    return float(np.count_nonzero(spx_edge[gt_edge])) / n_gt


def undersegmentation_error(superpixels: np.ndarray, gt: np.ndarray) -> float:
    """Corrected undersegmentation error (Neubert & Protzel 2012).

    ``UE = 1/N * sum_S sum_G min(|S & G|, |S - G|)``: each superpixel ``S`` pays, for
    every ground-truth segment ``G`` it overlaps, the smaller of its part inside and its
    part outside ``G``. 0 for a superpixel map that refines the ground truth.

    Args:
        superpixels: ``(H, W)`` superpixel labels.
        gt: ``(H, W)`` ground-truth labels.

    Returns:
        Error in ``[0, 1)``.
    """
    table, n = _contingency(superpixels, gt)
    sizes = table.sum(axis=1, keepdims=True)
    return float(np.minimum(table, sizes - table).sum()) / n


def achievable_segmentation_accuracy(superpixels: np.ndarray, gt: np.ndarray) -> float:
    """ASA: ``1/N * sum_S max_G |S & G|`` (1.0 when no superpixel straddles segments).

    Args:
        superpixels: ``(H, W)`` superpixel labels.
        gt: ``(H, W)`` ground-truth labels.

    Returns:
        Accuracy in ``(0, 1]``.
    """
    table, n = _contingency(superpixels, gt)
    return float(table.max(axis=1).sum()) / n


def _contingency(superpixels: np.ndarray, gt: np.ndarray) -> Tuple[np.ndarray, int]:
    """``(n_superpixels, n_gt)`` overlap counts (rows of unused ids are zero) and ``N``."""
    _check_shapes(superpixels, gt)
    spx, n_spx = _dense_ids(superpixels, compact=False)
    seg, n_seg = _dense_ids(gt, compact=False)
    if n_spx * n_seg > max(4 * spx.size, 1 << 20):  # sparse ids: renumber them
        spx, n_spx = _dense_ids(superpixels, compact=True)
        seg, n_seg = _dense_ids(gt, compact=True)
    table = np.bincount(spx * n_seg + seg, minlength=n_spx * n_seg)
    return table.reshape(n_spx, n_seg), spx.size


def _dense_ids(labels: np.ndarray, compact: bool) -> Tuple[np.ndarray, int]:
    """Flat int64 ids in ``0..n-1``: non-negative integers as they are unless ``compact``,
    otherwise the rank of each value among the distinct values."""
    flat = np.asarray(labels).ravel()
    if not compact and np.issubdtype(flat.dtype, np.integer) and flat.min() >= 0:
        return flat.astype(np.int64), int(flat.max()) + 1
    _, inverse = np.unique(flat, return_inverse=True)
    return inverse.astype(np.int64).ravel(), int(inverse.max()) + 1


def _check_shapes(superpixels: np.ndarray, gt: np.ndarray) -> None:
    if np.shape(superpixels) != np.shape(gt) or np.ndim(gt) != 2:
        raise ValueError(f'expected two (H, W) maps of one size, got {np.shape(superpixels)} '
                         f'and {np.shape(gt)}')
    if np.size(gt) == 0:
        raise ValueError('empty label maps')
