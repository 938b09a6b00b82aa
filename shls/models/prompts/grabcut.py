"""One object from seeds: OpenCV GrabCut on a crop, then snapped to superpixels."""
from typing import Optional, Tuple

import cv2
import numpy as np

from shls.models.superpixels import SuperpixelGenerator

#: Seed of OpenCV's random generator for each GrabCut run (its k-means start).
GRABCUT_SEED = 0
#: GrabCut labels (OpenCV's ``GC_*``).
SURE_BG, SURE_FG, MAYBE_BG, MAYBE_FG = (cv2.GC_BGD, cv2.GC_FGD, cv2.GC_PR_BGD,
                                        cv2.GC_PR_FGD)


def crop_around(box: Tuple[int, int, int, int], shape: Tuple[int, int],
                margin: float, min_margin: int) -> Tuple[slice, slice]:
    """Row and column slices of ``box`` enlarged by ``margin`` of its sides (at least
    ``min_margin`` pixels), clipped to the frame."""
    x0, y0, x1, y1 = box
    dx = max(min_margin, int(round(margin * (x1 - x0))))
    dy = max(min_margin, int(round(margin * (y1 - y0))))
    return (slice(max(0, y0 - dy), min(shape[0], y1 + dy)),
            slice(max(0, x0 - dx), min(shape[1], x1 + dx)))


def grabcut_object(rgb: np.ndarray, seeds: np.ndarray, iterations: int,
                   superpixels: Optional[SuperpixelGenerator],
                   max_side: int, min_fraction: float, min_area: float = 0.0) -> np.ndarray:
    """Segment one object of an image crop seeded by GrabCut labels.

    GrabCut (Rother et al. 2004) fits colour models to the seeds and cuts the crop; its
    foreground is then snapped to superpixels (a superpixel is the object when at least
    half of it is), sure seeds are kept, and connected parts smaller than
    ``min_fraction`` of the largest are dropped. Crops with a side above ``max_side``
    are cut at that size and the result is scaled back.

    Args:
        rgb: ``(h, w, 3)`` uint8 crop.
        seeds: ``(h, w)`` uint8 GrabCut labels (``SURE_BG`` ... ``MAYBE_FG``); needs some
            background and some foreground labels.
        iterations: GrabCut iterations.
        superpixels: Generator of the superpixels to snap to (None: no snapping).
        max_side: Longest side GrabCut works at.
        min_fraction: Smallest kept part, as a fraction of the largest part.
        min_area: Stop iterating before the object shrinks below this many pixels (see
            :func:`run_grabcut`).

    Returns:
        ``(h, w)`` bool object mask (the maybe-foreground seeds when GrabCut cannot run).
    """
    height, width = seeds.shape
    scale = min(1.0, max_side / max(height, width))
    small_rgb, small_seeds = rgb, seeds
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small_rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        small_seeds = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
    fg = run_grabcut(small_rgb, small_seeds, iterations, min_area * scale ** 2)
    if superpixels is not None and fg.any():
        fg = snap_to_superpixels(fg, superpixels(small_rgb))
    if scale < 1.0:
        fg = cv2.resize(fg.astype(np.uint8), (width, height),
                        interpolation=cv2.INTER_LINEAR) > 0
    fg = (fg | (seeds == SURE_FG)) & (seeds != SURE_BG)
    fg = keep_large_parts(fg, min_fraction)
    if not fg.any():  # GrabCut took everything away: the user's region is the best guess
        fg = np.isin(seeds, (SURE_FG, MAYBE_FG))
    return fg


def run_grabcut(rgb: np.ndarray, seeds: np.ndarray, iterations: int,
                min_area: float) -> np.ndarray:
    """GrabCut foreground of ``seeds``, one iteration at a time.

    GrabCut can collapse a small object whose colours the background shares (a white car
    in smoke) to a few pixels; the iterations stop before the foreground falls below
    ``min_fill`` of the maybe-foreground seeds and the last larger result is kept.

    Returns:
        ``(h, w)`` bool foreground (the foreground seeds when GrabCut cannot run: a
        crop without background or foreground, or too few pixels for a colour model).
    """
    fg = np.isin(seeds, (SURE_FG, MAYBE_FG))
    if not fg.any() or fg.all():
        return fg
    labels = np.ascontiguousarray(seeds.copy())
    image = np.ascontiguousarray(rgb)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    mode = cv2.GC_INIT_WITH_MASK
    # GrabCut starts its colour models by k-means seeded from OpenCV's per-thread random
    # generator: reset here, the same prompt gives the same mask whatever ran before
    cv2.setRNGSeed(GRABCUT_SEED)
    for _ in range(iterations):
        try:
            cv2.grabCut(image, labels, None, bgd, fgd, 1, mode)
        except cv2.error:  # too few samples for a colour model: keep what there is
            break
        mode = cv2.GC_EVAL
        now = np.isin(labels, (SURE_FG, MAYBE_FG))
        if now.sum() < min_area:
            break
        fg = now
    return fg


def snap_to_superpixels(fg: np.ndarray, superpixels: np.ndarray) -> np.ndarray:
    """Superpixels at least half inside ``fg`` (bincount vote)."""
    ids = superpixels.ravel().astype(np.int64)
    inside = np.bincount(ids, weights=fg.ravel(), minlength=int(ids.max()) + 1)
    area = np.bincount(ids, minlength=len(inside))
    return (inside >= 0.5 * np.maximum(area, 1))[superpixels]


def keep_large_parts(mask: np.ndarray, min_fraction: float) -> np.ndarray:
    """Drop the 8-connected parts of ``mask`` smaller than ``min_fraction`` of the largest."""
    count, parts, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    if count <= 2:
        return mask
    areas = stats[:, cv2.CC_STAT_AREA].copy()
    areas[0] = 0
    keep = areas >= min_fraction * areas.max()
    keep[0] = False
    return keep[parts]
