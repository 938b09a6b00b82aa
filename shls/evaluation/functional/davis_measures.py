"""Region (J) and boundary (F) measures of the DAVIS semi-supervised protocol.

Reimplemented from the protocol's definition (Perazzi et al., CVPR 2016; Pont-Tuset et
al., arXiv:1704.00675, as evaluated by the official DAVIS-2017 toolkit):

* J: intersection over union of the binary object masks; 1 when both are empty.
* F: boundary F-measure. Boundaries are 1-pixel maps at the mask's resolution (a pixel is
  a boundary pixel when it differs from its right, lower or lower-right neighbour; the
  last row only looks right, the last column only down, the bottom-right corner is never
  a boundary). A boundary pixel is matched when the other boundary, dilated by a disk of
  radius ``ceil(bound_th * image diagonal)`` (bound_th = 0.008 → 8 px at 854x480), covers
  it. Precision = matched predicted / predicted boundary pixels, recall = matched
  ground-truth / ground-truth boundary pixels, F = 2PR / (P + R). Conventions: both
  boundaries empty → F = 1; exactly one empty → F = 0; P + R = 0 → F = 0.
* Per object and sequence: Mean, Recall (fraction of frames with a value > 0.5) and Decay
  (mean of the first minus mean of the last of 4 overlapping, equally spaced bins).

Void pixels (optional ``void`` masks) are removed from both masks before measuring, as
the toolkit does when it is given void masks; its semi-supervised task passes none.
"""
import math
from typing import Optional, Tuple, Union

import cv2
import numpy as np
from skimage.morphology import disk

BOUND_TH = 0.008


def region_similarity(pred: np.ndarray,
                      gt: np.ndarray,
                      void: Optional[np.ndarray] = None) -> Union[float, np.ndarray]:
    """Jaccard index J of binary masks, over the last two axes.

    Args:
        pred: ``(..., H, W)`` predicted object mask (non-zero = object).
        gt: Ground-truth mask, same shape.
        void: Optional mask of pixels to ignore, same shape.

    Returns:
        J per leading index (a float for 2-D inputs); 1 where the union is empty.
    """
    pred, gt = _as_bool_pair(pred, gt)
    keep = np.ones_like(gt) if void is None else ~np.asarray(void, dtype=bool)
    inter = np.count_nonzero(pred & gt & keep, axis=(-2, -1))
    union = np.count_nonzero((pred | gt) & keep, axis=(-2, -1))
    j = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return float(j) if j.ndim == 0 else j


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """Thin boundary map of a binary mask at its own resolution (see module docstring).

    Args:
        mask: ``(..., H, W)`` mask, non-zero = object.

    Returns:
        Bool array of the same shape, True on boundary pixels.
    """
    seg = np.asarray(mask).astype(bool)
    bmap = np.zeros_like(seg)
    bmap[..., :, :-1] |= seg[..., :, :-1] ^ seg[..., :, 1:]  # right neighbour
    bmap[..., :-1, :] |= seg[..., :-1, :] ^ seg[..., 1:, :]  # lower neighbour
    bmap[..., :-1, :-1] |= seg[..., :-1, :-1] ^ seg[..., 1:, 1:]  # lower-right
    return bmap


def boundary_tolerance(shape: Tuple[int, int], bound_th: float = BOUND_TH) -> int:
    """Matching distance in pixels: ``bound_th`` itself if >= 1, else a diagonal fraction.

    Args:
        shape: ``(H, W)`` of the masks.
        bound_th: Fraction of the image diagonal (< 1) or a pixel count (>= 1).

    Returns:
        The radius of the dilation disk.
    """
    if bound_th >= 1:
        return int(math.ceil(bound_th))
    return int(math.ceil(bound_th * math.hypot(shape[0], shape[1])))


def boundary_f_measure(pred: np.ndarray,
                       gt: np.ndarray,
                       void: Optional[np.ndarray] = None,
                       bound_th: float = BOUND_TH) -> Union[float, np.ndarray]:
    """Boundary F-measure of binary masks, per frame.

    Args:
        pred: ``(H, W)`` or ``(T, H, W)`` predicted object mask.
        gt: Ground-truth mask, same shape.
        void: Optional ignored pixels, same shape.
        bound_th: See :func:`boundary_tolerance`.

    Returns:
        F as a float for 2-D inputs, else a ``(T,)`` float array.
    """
    pred, gt = _as_bool_pair(pred, gt)
    if pred.ndim not in (2, 3):
        raise ValueError(f'masks must be (H, W) or (T, H, W), got {pred.shape}')
    if void is not None:
        keep = ~np.asarray(void, dtype=bool)
        pred, gt = pred & keep, gt & keep
    kernel = disk(boundary_tolerance(gt.shape[-2:], bound_th)).astype(np.uint8)
    pred_b, gt_b = seg2bmap(pred), seg2bmap(gt)
    if pred.ndim == 2:
        return _frame_f_measure(pred_b, gt_b, kernel)
    return np.array([_frame_f_measure(p, g, kernel) for p, g in zip(pred_b, gt_b)])


def _frame_f_measure(pred_b: np.ndarray, gt_b: np.ndarray, kernel: np.ndarray) -> float:
    """F of one pair of boundary maps with the protocol's empty-boundary conventions."""
    n_pred, n_gt = np.count_nonzero(pred_b), np.count_nonzero(gt_b)
    if n_pred == 0 and n_gt == 0:
        return 1.0
    if n_pred == 0 or n_gt == 0:
        return 0.0
    pred_dil = cv2.dilate(pred_b.view(np.uint8), kernel).astype(bool)
    gt_dil = cv2.dilate(gt_b.view(np.uint8), kernel).astype(bool)
    precision = np.count_nonzero(pred_b & gt_dil) / n_pred
    recall = np.count_nonzero(gt_b & pred_dil) / n_gt
    if precision + recall == 0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def measure_statistics(values: np.ndarray, num_bins: int = 4) -> Tuple[float, float, float]:
    """Mean, Recall and Decay of one object's per-frame J or F values.

    Decay splits the frame positions ``0..N-1`` at ``round(linspace(1, N, num_bins + 1))
    - 1`` into ``num_bins`` bins that share their end points, and returns the mean of the
    first bin minus the mean of the last one (NaN values are skipped in Mean and Decay).

    Args:
        values: ``(N,)`` per-frame values, N >= 1.
        num_bins: Number of temporal bins.

    Returns:
        ``(mean, recall, decay)``.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f'need a non-empty 1-D series, got shape {values.shape}')
    mean = float(np.nanmean(values))
    recall = float(np.mean(values > 0.5))
    # + 1e-10 makes exact halves round up (np.round rounds halves to even).
    edges = (np.round(np.linspace(1, values.size, num_bins + 1) + 1e-10) - 1).astype(np.int64)
    first = values[edges[0]:edges[1] + 1]
    last = values[edges[-2]:edges[-1] + 1]
    decay = float(np.nanmean(first) - np.nanmean(last))
    return mean, recall, decay


def _as_bool_pair(pred: np.ndarray, gt: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Both masks as bool arrays of the same shape."""
    pred, gt = np.asarray(pred).astype(bool), np.asarray(gt).astype(bool)
    if pred.shape != gt.shape:
        raise ValueError(f'prediction shape {pred.shape} != ground-truth shape {gt.shape}')
    return pred, gt


def object_measures(pred_ids: np.ndarray,
                    gt_ids: np.ndarray,
                    num_objects: int,
                    void: Optional[np.ndarray] = None,
                    bound_th: float = BOUND_TH) -> Tuple[np.ndarray, np.ndarray]:
    """J and F of every object ``1..num_objects`` on one frame of id maps.

    Args:
        pred_ids: ``(H, W)`` predicted object ids.
        gt_ids: ``(H, W)`` ground-truth object ids (void already removed or given apart).
        num_objects: Objects are ids ``1..num_objects``; an id absent from a map is an
            empty mask there (an object never predicted gets J = F = 0 where it exists).
        void: Optional ``(H, W)`` pixels to ignore.
        bound_th: See :func:`boundary_tolerance`.

    Returns:
        ``(J, F)``, two ``(num_objects,)`` float arrays.
    """
    ids = np.arange(1, num_objects + 1).reshape(-1, 1, 1)
    pred = np.asarray(pred_ids)[None] == ids
    gt = np.asarray(gt_ids)[None] == ids
    voids = None if void is None else np.broadcast_to(np.asarray(void, dtype=bool), gt.shape)
    j = np.atleast_1d(region_similarity(pred, gt, voids))
    f = np.atleast_1d(boundary_f_measure(pred, gt, voids, bound_th))
    return j.astype(np.float64), f.astype(np.float64)
