"""Where the boundary measure (F) loses: the unmatched boundary pixels, by cause.

The DAVIS boundary F-measure (:func:`~.davis_measures.boundary_f_measure`) matches each
boundary pixel against the other mask's boundary within a tolerance. This module splits
the pixels left unmatched by the error region next to them:

* a **missed part** is a connected part of the ground-truth object the prediction does
  not cover (false negatives): unmatched ground-truth boundary around it lowers recall,
  predicted boundary cutting through the object (holes, cut-off parts) lowers precision;
* a **leak** is a connected part of the prediction outside the object (false positives:
  shadows, adjacent look-alikes, far blobs): its predicted boundary lowers precision, and
  the ground-truth boundary it covers lowers recall;
* each error part is sized relative to the object's ground-truth area (the frame's when
  the object is absent) in the classes of :data:`SIZE_EDGES`.

Counts are pooled over pixels, so their precision and recall weight long boundaries
more than the frame-averaged F of the protocol does.
"""
from dataclasses import dataclass, field
from typing import Sequence

import cv2
import numpy as np
from skimage.morphology import disk

from .davis_measures import BOUND_TH, boundary_tolerance, seg2bmap

#: Upper edges of the part-size classes, as fractions of the object's area: small parts
#: (< 2 %, e.g. a hand, a kite line), medium (< 20 %, a leg, a shadow) and large.
SIZE_EDGES = (0.02, 0.2)
#: Names of the size classes, for tables.
SIZE_NAMES = ('small', 'medium', 'large')


def _zeros() -> np.ndarray:
    return np.zeros(len(SIZE_NAMES), dtype=np.int64)


@dataclass
class BoundaryErrors:
    """Boundary pixels of one object over some frames, and why some are unmatched.

    Every ``(3,)`` count is split by the size class of the error part (:data:`SIZE_NAMES`).

    Attributes:
        gt: Ground-truth boundary pixels.
        pred: Predicted boundary pixels.
        gt_missed_part: Unmatched ground-truth boundary next to a missed part.
        gt_leak: Unmatched ground-truth boundary next to a leak.
        gt_other: Unmatched ground-truth boundary next to neither.
        pred_leak: Unmatched predicted boundary next to a leak.
        pred_missed_part: Unmatched predicted boundary next to a missed part.
        pred_other: Unmatched predicted boundary next to neither.
    """

    gt: int = 0
    pred: int = 0
    gt_missed_part: np.ndarray = field(default_factory=_zeros)
    gt_leak: np.ndarray = field(default_factory=_zeros)
    gt_other: int = 0
    pred_leak: np.ndarray = field(default_factory=_zeros)
    pred_missed_part: np.ndarray = field(default_factory=_zeros)
    pred_other: int = 0

    def __add__(self, other: 'BoundaryErrors') -> 'BoundaryErrors':
        return BoundaryErrors(**{name: getattr(self, name) + getattr(other, name)
                                 for name in self.__dataclass_fields__})

    @property
    def recall(self) -> float:
        """Matched share of the ground-truth boundary pixels (1 when there are none)."""
        missed = self.gt_missed_part.sum() + self.gt_leak.sum() + self.gt_other
        return 1.0 - missed / self.gt if self.gt else 1.0

    @property
    def precision(self) -> float:
        """Matched share of the predicted boundary pixels (1 when there are none)."""
        spurious = self.pred_leak.sum() + self.pred_missed_part.sum() + self.pred_other
        return 1.0 - spurious / self.pred if self.pred else 1.0


def boundary_errors(pred: np.ndarray, gt: np.ndarray,
                    bound_th: float = BOUND_TH,
                    size_edges: Sequence[float] = SIZE_EDGES) -> BoundaryErrors:
    """Unmatched boundary pixels of one frame's object masks, split by cause.

    Matching is the protocol's (:func:`~.davis_measures.boundary_f_measure`); a pixel is
    next to an error part when the part's 8-connected component, grown by one pixel,
    covers it. Where both kinds touch a pixel, a ground-truth pixel counts as a missed
    part and a predicted one as a leak (the larger part when two of a kind touch it).

    Args:
        pred: ``(H, W)`` predicted object mask.
        gt: ``(H, W)`` ground-truth object mask.
        bound_th: Boundary tolerance as a fraction of the image diagonal.
        size_edges: Upper edges of the part-size classes (fractions of the object's
            area), two values.

    Returns:
        The frame's :class:`BoundaryErrors`.

    Raises:
        ValueError: Masks of different or non-2-D shapes.
    """
    pred, gt = np.asarray(pred, dtype=bool), np.asarray(gt, dtype=bool)
    if pred.shape != gt.shape or pred.ndim != 2:
        raise ValueError(f'need two (H, W) masks of one shape, got {pred.shape} and '
                         f'{gt.shape}')
    kernel = disk(boundary_tolerance(gt.shape, bound_th)).astype(np.uint8)
    pred_b, gt_b = seg2bmap(pred), seg2bmap(gt)
    gt_un = gt_b & ~cv2.dilate(pred_b.view(np.uint8), kernel).astype(bool)
    pred_un = pred_b & ~cv2.dilate(gt_b.view(np.uint8), kernel).astype(bool)
    area = float(gt.sum()) or float(gt.size)
    missed = _size_classes(gt & ~pred, area, size_edges)
    leaks = _size_classes(pred & ~gt, area, size_edges)
    gt_missed, gt_leak, gt_other = _split(gt_un, missed, leaks)
    pred_leak, pred_missed, pred_other = _split(pred_un, leaks, missed)
    return BoundaryErrors(int(gt_b.sum()), int(pred_b.sum()), gt_missed, gt_leak, gt_other,
                          pred_leak, pred_missed, pred_other)


def _size_classes(parts: np.ndarray, area: float, size_edges: Sequence[float]) -> np.ndarray:
    """``(H, W)`` uint8 map: 1 + the size class of the part each pixel is next to, 0 if
    none (the larger class where two parts meet)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(parts.view(np.uint8),
                                                               connectivity=8)
    classes = np.zeros(count, dtype=np.uint8)
    sizes = stats[1:, cv2.CC_STAT_AREA] / area
    classes[1:] = 1 + np.digitize(sizes, np.asarray(size_edges, dtype=np.float64))
    return cv2.dilate(classes[labels], np.ones((3, 3), np.uint8))


def _split(unmatched: np.ndarray, first: np.ndarray, second: np.ndarray):
    """Counts of unmatched pixels next to ``first`` parts and to ``second`` parts (each
    by size class; ``first`` wins), and the count next to neither."""
    first_cls, second_cls = first[unmatched], second[unmatched]
    bins = len(SIZE_NAMES) + 1
    by_first = np.bincount(first_cls, minlength=bins)
    by_second = np.bincount(second_cls[first_cls == 0], minlength=bins)
    return by_first[1:].astype(np.int64), by_second[1:].astype(np.int64), int(by_second[0])
