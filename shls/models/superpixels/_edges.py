"""Canny-style edge detection used by ISEC (method.md §2.1, steps 2 and 3a).

The steps follow the classic Canny detector as ISEC's Python port applies it: Gaussian
smoothing with zero padding, raw (unnormalised) Sobel derivatives, interpolating
non-maximum suppression in four sectors with the one-pixel image border excluded, and
hysteresis over 8-connected components. Magnitudes are in raw Sobel units of a ``[0, 1]``
image, so the thresholds of the port apply unchanged.
"""
from typing import Tuple

import cv2
import numpy as np


def gradients(gray: np.ndarray, sigma: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smooth ``gray`` and return its Sobel derivatives and gradient magnitude.

    Args:
        gray: ``(H, W)`` float32 image in ``[0, 1]``.
        sigma: Gaussian standard deviation; the kernel is truncated at ``4 * sigma``
            (scipy's default) and the image is zero padded.

    Returns:
        ``(gy, gx, magnitude)``: row and column derivatives and their ``hypot``, float32.
    """
    radius = int(4.0 * sigma + 0.5)
    smooth = cv2.GaussianBlur(gray, (2 * radius + 1, 2 * radius + 1), sigmaX=sigma,
                              sigmaY=sigma, borderType=cv2.BORDER_CONSTANT)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT)
    return gy, gx, cv2.magnitude(gx, gy)


def non_maximum_suppression(gy: np.ndarray, gx: np.ndarray, magnitude: np.ndarray,
                            low: float) -> np.ndarray:
    """Interpolating non-maximum suppression, restricted to magnitudes ``>= low``.

    A pixel survives when its magnitude is at least the magnitudes interpolated at one
    pixel along and against its gradient direction (linear interpolation between the
    axial and the diagonal neighbour of the gradient's sector). The outermost pixel ring
    never survives. Only pixels with ``magnitude >= low`` are examined, since hysteresis
    discards the rest anyway.

    Args:
        gy: ``(H, W)`` row derivative.
        gx: ``(H, W)`` column derivative.
        magnitude: ``(H, W)`` gradient magnitude.
        low: Lower hysteresis threshold.

    Returns:
        ``(H, W)`` bool map of the surviving pixels (``magnitude >= low``).
    """
    h, w = magnitude.shape
    keep = np.zeros((h, w), bool)
    if h < 3 or w < 3:
        return keep
    inner = np.zeros((h, w), bool)
    inner[1:-1, 1:-1] = magnitude[1:-1, 1:-1] >= low
    idx = np.flatnonzero(inner)
    if idx.size == 0:
        return keep
    mag = magnitude.ravel()
    dy, dx = gy.ravel()[idx], gx.ravel()[idx]
    ay, ax = np.abs(dy), np.abs(dx)
    horizontal = ax >= ay
    same_sign = (dy >= 0) == (dx >= 0)
    # Axial neighbour along the dominant axis and the diagonal neighbour of the sector;
    # the opposite side uses the negated offsets.
    axial = np.where(horizontal, 1, w)
    diagonal = np.where(same_sign, w + 1, np.where(horizontal, 1 - w, w - 1))
    major, minor = np.where(horizontal, ax, ay), np.where(horizontal, ay, ax)
    weight = np.divide(minor, major, out=np.zeros_like(minor), where=major > 0)
    centre = mag[idx]
    ahead = (1 - weight) * mag[idx + axial] + weight * mag[idx + diagonal]
    behind = (1 - weight) * mag[idx - axial] + weight * mag[idx - diagonal]
    keep.ravel()[idx] = (centre >= ahead) & (centre >= behind)
    return keep


def hysteresis(candidates: np.ndarray, strong: np.ndarray) -> np.ndarray:
    """Keep the 8-connected components of ``candidates`` that contain a ``strong`` pixel.

    Args:
        candidates: ``(H, W)`` bool map (local maxima above the low threshold).
        strong: ``(H, W)`` bool map (pixels above the high threshold).

    Returns:
        ``(H, W)`` bool edge map.
    """
    n, comp = cv2.connectedComponents(candidates.view(np.uint8), connectivity=8,
                                      ltype=cv2.CV_32S)
    if n <= 1:
        return np.zeros(candidates.shape, bool)
    hit = np.zeros(n, bool)
    hit[comp[strong & candidates]] = True
    hit[0] = False
    return hit[comp]


def canny_edges(gray: np.ndarray, sigma: float, low: float, high: float) -> np.ndarray:
    """Canny edges of ``gray`` at scale ``sigma`` with absolute thresholds.

    Args:
        gray: ``(H, W)`` float32 image in ``[0, 1]``.
        sigma: Gaussian scale.
        low: Lower hysteresis threshold (raw Sobel magnitude units).
        high: Upper hysteresis threshold.

    Returns:
        ``(H, W)`` bool edge map.
    """
    gy, gx, magnitude = gradients(gray, sigma)
    candidates = non_maximum_suppression(gy, gx, magnitude, low)
    return hysteresis(candidates, magnitude >= high)
