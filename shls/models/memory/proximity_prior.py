"""A temporal prior on the pre-segmentation: objects move little from frame to frame.

Not in the paper. The memory matches superfeatures over the whole frame, so a region of
the background that looks like an object (another swan, a shadow, a look-alike car)
can be taken for it anywhere. :func:`proximity_penalty` lowers object ``k``'s Eq.-4
score of a superpixel by how far the superpixel's centre lies from ``k``'s mask in the
previous frame, in units of the object's size:

    penalty_k(s) = weight * max(0, dist(centre(s), mask_k) / sqrt(area_k) - margin)

so the prior is off within ``margin`` object sizes of where the object was and grows
linearly beyond. An object absent from the previous frame (it left the view) gets no
penalty, so it can be found again anywhere; the background is never penalised.
"""
import cv2
import numpy as np
import torch
from torch import Tensor

#: Distances are computed on the previous mask shrunk by this factor (cheap, smooth).
DISTANCE_STRIDE = 4


def superpixel_centres(superpixels: Tensor, num: int) -> Tensor:
    """``(num, 2)`` mean (row, column) in pixels of every superpixel id ``0..num-1``."""
    h, w = superpixels.shape
    flat = superpixels.reshape(-1)
    counts = torch.bincount(flat, minlength=num).clamp_min(1).double()
    rows = torch.arange(h, device=flat.device, dtype=torch.float64).repeat_interleave(w)
    cols = torch.arange(w, device=flat.device, dtype=torch.float64).repeat(h)
    r = torch.bincount(flat, weights=rows, minlength=num) / counts
    c = torch.bincount(flat, weights=cols, minlength=num) / counts
    return torch.stack([r, c], dim=1).float()


def distance_maps(prev_mask: np.ndarray, object_ids: np.ndarray,
                  stride: int = DISTANCE_STRIDE) -> np.ndarray:
    """``(K, h, w)`` distance in full-size pixels to each object's pixels, on the grid of
    ``prev_mask[::stride, ::stride]``; ``inf`` everywhere for an absent object."""
    small = prev_mask[::stride, ::stride]
    maps = np.full((len(object_ids), *small.shape), np.inf, np.float32)
    for i, k in enumerate(object_ids.tolist()):  # a few objects, each one OpenCV call
        outside = (small != k).astype(np.uint8)
        if outside.all():
            continue
        maps[i] = cv2.distanceTransform(outside, cv2.DIST_L2, 3) * stride
    return maps


def proximity_penalty(superpixels: Tensor, prev_mask: Tensor, classes: Tensor,
                      num: int, margin: float, weight: float,
                      background: int = 0) -> Tensor:
    """Penalty to subtract from the Eq.-4 scores, ``(num, C)`` (columns = ``classes``).

    Args:
        superpixels: ``(H, W)`` int64 ids ``0..num-1`` of the current frame.
        prev_mask: ``(H, W)`` int64 label map of the previous frame.
        classes: ``(C,)`` class ids in column order.
        num: Number of superpixels.
        margin: Distance, in object sizes, within which there is no penalty.
        weight: Penalty per object size beyond ``margin`` (Eq.-4 score units).
        background: The background id (never penalised).

    Returns:
        ``(num, C)`` float32, zero for the background and for absent objects.
    """
    penalty = torch.zeros(num, len(classes), device=superpixels.device)
    cols = torch.nonzero(classes != background).flatten()
    if len(cols) == 0 or weight == 0:
        return penalty
    prev = prev_mask.cpu().numpy()
    ids = classes[cols].cpu().numpy()
    areas = np.bincount(prev.ravel(), minlength=int(ids.max()) + 1)[ids]
    maps = torch.from_numpy(distance_maps(prev, ids)).to(superpixels.device)
    centres = superpixel_centres(superpixels, num)
    r = (centres[:, 0] / DISTANCE_STRIDE).round().long().clamp(0, maps.shape[1] - 1)
    c = (centres[:, 1] / DISTANCE_STRIDE).round().long().clamp(0, maps.shape[2] - 1)
    dist = maps[:, r, c].T                                     # (num, K) pixels
    scale = torch.from_numpy(np.sqrt(np.maximum(areas, 1))).float().to(dist.device)
    excess = (dist / scale - margin).clamp_min(0)
    excess = torch.where(torch.isinf(dist), torch.zeros_like(excess), excess)
    penalty[:, cols] = weight * excess
    return penalty
