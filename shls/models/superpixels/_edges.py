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
    pixel along and against its gradient direction: linear interpolation, with weight
    ``minor / major`` gradient component, between the axial neighbour of the dominant
    axis and the diagonal neighbour of the gradient's sector (the opposite side mirrors
    both). The outermost pixel ring never survives.

    Args:
        gy: ``(H, W)`` row derivative.
        gx: ``(H, W)`` column derivative.
        magnitude: ``(H, W)`` gradient magnitude.
        low: Lower hysteresis threshold; weaker pixels are dropped here already.

    Returns:
        ``(H, W)`` bool map of the surviving pixels.
    """
    h, w = magnitude.shape
    keep = np.zeros((h, w), bool)
    if h < 3 or w < 3:
        return keep
    m = magnitude
    dy, dx = gy[1:-1, 1:-1], gx[1:-1, 1:-1]
    ay, ax = np.abs(dy), np.abs(dx)
    horizontal = ax >= ay
    same_sign = (dy >= 0) == (dx >= 0)
    east, west, north, south = m[1:-1, 2:], m[1:-1, :-2], m[:-2, 1:-1], m[2:, 1:-1]
    ne, nw, se, sw = m[:-2, 2:], m[:-2, :-2], m[2:, 2:], m[2:, :-2]
    axial_ahead = np.where(horizontal, east, south)
    axial_behind = np.where(horizontal, west, north)
    diag_ahead = np.where(same_sign, se, np.where(horizontal, ne, sw))
    diag_behind = np.where(same_sign, nw, np.where(horizontal, sw, ne))
    major, minor = np.maximum(ax, ay), np.minimum(ax, ay)
    weight = np.divide(minor, major, out=np.zeros_like(minor), where=major > 0)
    centre = m[1:-1, 1:-1]
    keep[1:-1, 1:-1] = ((centre >= low)
                        & (centre >= axial_ahead + weight * (diag_ahead - axial_ahead))
                        & (centre >= axial_behind + weight * (diag_behind - axial_behind)))
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
