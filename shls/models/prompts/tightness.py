"""The tight-box prior of a box prompt: every row and column of the box meets the object.

A user draws a box that touches the object on all four sides, and an object in one piece
then crosses every row and every column of its box (Lempitsky et al., "Image segmentation
with a bounding box prior", ICCV 2009). GrabCut alone does not know this and drops parts
whose colours it gives to the background (the bike under a rider, a player's legs).
:func:`pinpoints` marks, on each row and column of the box that a mask misses, the pixel
whose colour is most object-like; the box prompt then cuts again with those pixels as
sure object (pinpointing).
"""
from typing import Tuple

import numpy as np

from .boxes import Box

#: Histogram bins per RGB channel of the colour models.
COLOUR_BINS = 16


def missed_lines(mask: np.ndarray, box: Box) -> Tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)`` bool vectors over the box: the lines ``mask`` does not meet."""
    x0, y0, x1, y1 = box
    inner = mask[y0:y1, x0:x1]
    return ~inner.any(axis=1), ~inner.any(axis=0)


def colour_log_ratio(rgb: np.ndarray, fg: np.ndarray, bg: np.ndarray,
                     bins: int = COLOUR_BINS) -> np.ndarray:
    """``(H, W)`` log ratio of object to background colour histograms (Laplace-smoothed).

    Args:
        rgb: ``(H, W, 3)`` uint8 image.
        fg: ``(H, W)`` bool object pixels.
        bg: ``(H, W)`` bool background pixels.
        bins: Bins per channel (a divisor of 256).
    """
    q = (rgb // (256 // bins)).astype(np.int64)
    index = (q[..., 0] * bins + q[..., 1]) * bins + q[..., 2]
    count = bins ** 3
    hist_fg = np.bincount(index[fg], minlength=count) + 1.0
    hist_bg = np.bincount(index[bg], minlength=count) + 1.0
    lut = np.log(hist_fg / hist_fg.sum()) - np.log(hist_bg / hist_bg.sum())
    return lut[index]


def pinpoints(rgb: np.ndarray, mask: np.ndarray, box: Box) -> np.ndarray:
    """``(h, w)`` bool map over the box: on each row and column that ``mask`` misses, the
    pixel whose colour is most like the object's (``mask``) against the frame outside
    the box. All False when ``mask`` meets every line (or is empty)."""
    x0, y0, x1, y1 = box
    rows, cols = missed_lines(mask, box)
    pins = np.zeros((y1 - y0, x1 - x0), bool)
    if not mask.any() or not (rows.any() or cols.any()):
        return pins
    outside = np.ones(mask.shape, bool)
    outside[y0:y1, x0:x1] = False
    score = colour_log_ratio(rgb, mask, outside)[y0:y1, x0:x1]
    missed_rows, missed_cols = np.flatnonzero(rows), np.flatnonzero(cols)
    pins[missed_rows, score[missed_rows].argmax(axis=1)] = True
    pins[score[:, missed_cols].argmax(axis=0), missed_cols] = True
    return pins
