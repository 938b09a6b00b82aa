"""Binary morphology used by ISEC, on OpenCV primitives (method.md §2.1, steps 3e-4).

* :func:`thin` — Guo & Hall (1989) two-sub-iteration parallel thinning with an iteration
  cap, evaluated through a 256-entry lookup table of 8-neighbourhood codes.
* :func:`area_closing` / :func:`area_opening` — binary area filters via
  ``cv2.connectedComponentsWithStats`` (holes / blobs below an area are filled / removed).
* :func:`remove_interior` — keep only the outline of thick blobs.

All functions take and return ``(H, W)`` bool arrays.
"""
from functools import lru_cache
from typing import Tuple

import cv2
import numpy as np

# filter2D kernel that encodes the 8 neighbours of a pixel as one byte. Bit k holds
# neighbour x_{k+1} of Guo & Hall's counter-clockwise numbering that starts east:
# x1=E, x2=NE, x3=N, x4=NW, x5=W, x6=SW, x7=S, x8=SE.
_CODE_KERNEL = np.array([[8, 4, 2],
                         [16, 0, 1],
                         [32, 64, 128]], np.float32)
_FULL_3X3 = np.ones((3, 3), np.uint8)


@lru_cache(maxsize=None)
def _thinning_luts() -> Tuple[np.ndarray, np.ndarray]:
    """Deletion lookup tables of the two Guo-Hall sub-iterations (uint8, 0 or 1)."""
    codes = np.arange(256)
    x = [(codes >> k) & 1 for k in range(8)] + [codes & 1]  # x[0..7] = x1..x8, x[8] = x1
    # Number of 8-connected foreground runs around the pixel.
    crossings = sum((1 - x[2 * i]) & (x[2 * i + 1] | x[2 * i + 2]) for i in range(4))
    n1 = sum(x[2 * k] | x[2 * k + 1] for k in range(4))
    n2 = sum(x[2 * k + 1] | x[2 * k + 2] for k in range(4))
    n_min = np.minimum(n1, n2)
    common = (crossings == 1) & (n_min >= 2) & (n_min <= 3)
    first = ((x[1] | x[2] | (1 - x[7])) & x[0]) == 0
    second = ((x[5] | x[6] | (1 - x[3])) & x[4]) == 0
    return ((common & first).astype(np.uint8), (common & second).astype(np.uint8))


def thin(mask: np.ndarray, max_num_iter: int = -1) -> np.ndarray:
    """Guo-Hall thinning of a binary image (pixels outside the image count as 0).

    Args:
        mask: ``(H, W)`` bool image.
        max_num_iter: Maximum number of full iterations (two sub-iterations each);
            negative means until convergence.

    Returns:
        ``(H, W)`` bool thinned image.
    """
    skel = mask.astype(np.uint8)
    luts = _thinning_luts()
    it = 0
    while max_num_iter < 0 or it < max_num_iter:
        changed = False
        for lut in luts:
            code = cv2.filter2D(skel, -1, _CODE_KERNEL, borderType=cv2.BORDER_CONSTANT)
            delete = cv2.LUT(code, lut) & skel
            if delete.any():
                skel ^= delete
                changed = True
        it += 1
        if not changed:
            break
    return skel.astype(bool)


def thin_padded(mask: np.ndarray, pad: int, max_num_iter: int) -> np.ndarray:
    """Thin ``mask`` after mirror-padding it by ``pad`` pixels, then crop the padding.

    Padding keeps curves that touch the image border from being eroded away from it.
    """
    if pad <= 0:
        return thin(mask, max_num_iter)
    padded = cv2.copyMakeBorder(mask.view(np.uint8), pad, pad, pad, pad,
                                cv2.BORDER_REFLECT)
    return np.ascontiguousarray(thin(padded.astype(bool), max_num_iter)[pad:-pad, pad:-pad])


def area_closing(mask: np.ndarray, area: int) -> np.ndarray:
    """Fill the 4-connected background components with fewer than ``area`` pixels."""
    if area <= 1:
        return mask.copy()
    background = (~mask).view(np.uint8)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4,
                                                         ltype=cv2.CV_32S)
    small = stats[:, cv2.CC_STAT_AREA] < area
    small[0] = False  # label 0 is the foreground itself
    return mask | small[comp]


def area_opening(mask: np.ndarray, area: int) -> np.ndarray:
    """Remove the 8-connected foreground components with fewer than ``area`` pixels."""
    if area <= 1:
        return mask.copy()
    n, comp, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8),
                                                         connectivity=8, ltype=cv2.CV_32S)
    large = stats[:, cv2.CC_STAT_AREA] >= area
    large[0] = False
    return large[comp]


def remove_interior(mask: np.ndarray) -> np.ndarray:
    """Drop pixels whose whole 3x3 neighbourhood is set (image border counts as unset)."""
    interior = cv2.erode(mask.view(np.uint8), _FULL_3X3, borderType=cv2.BORDER_CONSTANT,
                         borderValue=0)
    return mask & (interior == 0)
