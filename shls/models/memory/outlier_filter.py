"""The seed code's pre-segmentation: painted KNN vote + blob / convex-hull outlier filter."""
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from torch import Tensor


def _hull_mask(blobs: np.ndarray) -> np.ndarray:
    """Filled convex hull of the non-zero pixels of a uint8 mask."""
    hull = cv2.convexHull(cv2.findNonZero(blobs))
    out = np.zeros_like(blobs)
    cv2.fillConvexPoly(out, hull, 1)
    return out.astype(bool)


def _filter_object(vote: np.ndarray, prev: np.ndarray, obj: int,
                   min_overlap: float) -> np.ndarray:
    """Pixels of ``obj`` in ``vote`` that must be unlabelled (bool map)."""
    mine = (vote == obj).astype(np.uint8)
    prev_obj = prev == obj
    num, comps = cv2.connectedComponents(mine, connectivity=4)
    overlap = np.bincount(comps[prev_obj], minlength=num)
    keep = overlap > min_overlap * prev_obj.sum()
    keep[0] = False  # component 0 = not this object
    kept = keep[comps].astype(np.uint8)
    if not kept.any():
        return mine.astype(bool)
    return mine.astype(bool) & ~_hull_mask(kept)


def filter_vote_outliers(vote_map: Tensor, prev_mask: Tensor,
                         object_ids: Optional[Sequence[int]] = None,
                         min_overlap: float = 0.05, background: int = 0) -> Tensor:
    """Remove far-away false positives from a painted KNN-vote map.

    For each object: keep its 4-connected blobs that overlap more than ``min_overlap``
    of its previous-frame mask, take the convex hull of the kept blobs and set the
    object's pixels outside it to ``background``. An object with no kept blob (e.g.
    absent from the previous mask) is removed entirely. Runs on the CPU (OpenCV);
    the result is on ``vote_map.device``.

    Args:
        vote_map: ``(H, W)`` int class ids (the vote painted with ``vote[labels]``).
        prev_mask: ``(H, W)`` int previous-frame mask.
        object_ids: Objects to filter; default: non-background ids in ``vote_map``.
        min_overlap: Fraction of the previous object mask a blob must overlap (seed
            code: 0.05).
        background: Id written to removed pixels.

    Returns:
        ``(H, W)`` filtered map, same dtype and device as ``vote_map``.
    """
    vote = vote_map.detach().cpu().numpy()
    prev = prev_mask.detach().cpu().numpy()
    if object_ids is None:
        object_ids = [int(i) for i in np.unique(vote) if i != background]
    out = vote.copy()
    for obj in object_ids:  # one pass per object
        out[_filter_object(vote, prev, int(obj), min_overlap)] = background
    return torch.from_numpy(out).to(vote_map.device)
