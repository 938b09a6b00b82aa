"""Geometric helpers: random affine matrices, warping image + labels, perspective."""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np


def translation(tx: float, ty: float) -> np.ndarray:
    """3x3 homogeneous translation."""
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def scaling(sx: float, sy: float) -> np.ndarray:
    """3x3 homogeneous scaling about the origin."""
    return np.diag([sx, sy, 1.0])


def rotation(degrees: float) -> np.ndarray:
    """3x3 homogeneous rotation about the origin (image coordinates, y down)."""
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0],
                     [0.0, 0.0, 1.0]])


def shearing(degrees: float) -> np.ndarray:
    """3x3 homogeneous horizontal shear ``x' = x + tan(angle) * y``."""
    return np.array([[1.0, np.tan(np.deg2rad(degrees)), 0.0], [0.0, 1.0, 0.0],
                     [0.0, 0.0, 1.0]])


def random_affine(rng: np.random.Generator, size: Tuple[int, int], rotate: float = 30.0,
                  shear: float = 15.0, translate: float = 15.0,
                  scale: Sequence[float] = (0.8, 1.2), prob: float = 0.5) -> np.ndarray:
    """Random affine map about the image centre (imgaug-like ``Sometimes`` chain).

    Each of rotate (``±rotate`` degrees), shear (``±shear`` degrees), translate
    (``±translate`` px per axis) and scale (``scale`` range, per axis) is applied with
    probability ``prob``, the four in random order.

    Args:
        rng: Random generator.
        size: ``(height, width)`` of the image, for its centre.

    Returns:
        3x3 homogeneous matrix mapping input to output pixel coordinates.
    """
    h, w = size
    centre, back = translation(-(w - 1) / 2, -(h - 1) / 2), translation((w - 1) / 2,
                                                                         (h - 1) / 2)
    matrix = np.eye(3)
    for op in rng.permutation(4):
        if rng.random() >= prob:
            continue
        if op == 0:
            step = back @ rotation(rng.uniform(-rotate, rotate)) @ centre
        elif op == 1:
            step = back @ shearing(rng.uniform(-shear, shear)) @ centre
        elif op == 2:
            step = translation(*rng.uniform(-translate, translate, size=2))
        else:
            step = back @ scaling(*rng.uniform(scale[0], scale[1], size=2)) @ centre
        matrix = step @ matrix
    return matrix


def warp_pair(image: np.ndarray, labels: np.ndarray, matrix: np.ndarray,
              size: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Warp an image (bilinear) and its label map (nearest) by a 3x3 affine/projective map.

    Pixels that no source pixel maps to become 0 (black image, background label).

    Args:
        image: ``(H, W, 3)`` uint8.
        labels: ``(H, W)`` uint8 label map.
        matrix: 3x3 map from input to output coordinates.
        size: ``(height, width)`` of the output.
    """
    dsize = (int(size[1]), int(size[0]))
    if np.allclose(matrix[2], (0.0, 0.0, 1.0)):
        warp = cv2.warpAffine
        matrix = matrix[:2]
    else:
        warp = cv2.warpPerspective
    out_img = warp(image, matrix, dsize, flags=cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    out_lab = warp(labels, matrix, dsize, flags=cv2.INTER_NEAREST,
                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return out_img, out_lab


def transformed_box(mask: np.ndarray, matrix: np.ndarray) -> Optional[np.ndarray]:
    """Bounding box ``(x0, y0, x1, y1)`` (inclusive) of the non-zero pixel centres of
    ``mask`` mapped by the affine ``matrix``; ``None`` for an empty mask."""
    points = cv2.findNonZero(mask.astype(np.uint8))
    if points is None:
        return None
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float64)
    mapped = hull @ matrix[:2, :2].T + matrix[:2, 2]
    return np.concatenate([mapped.min(axis=0), mapped.max(axis=0)])


def random_perspective(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator,
                       magnitude: float = 0.1) -> Tuple[np.ndarray, np.ndarray]:
    """Move each corner of an object patch by up to ``magnitude`` of its size.

    The output canvas is the bounding box of the moved corners (zero padded).

    Args:
        image: ``(h, w, 3)`` uint8 patch.
        mask: ``(h, w)`` uint8 object mask of the patch.
        rng: Random generator.
        magnitude: Maximal corner shift as a fraction of the patch width / height.
    """
    h, w = mask.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src + rng.uniform(-magnitude, magnitude, size=(4, 2)) * (w, h)
    dst -= dst.min(axis=0)
    out_w, out_h = np.maximum(np.ceil(dst.max(axis=0)).astype(int), 1)
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    return warp_pair(image, mask, matrix, (out_h, out_w))


def resize_pair(image: np.ndarray, labels: np.ndarray,
                size: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Resize image (area when shrinking, else bilinear) and labels (nearest) to
    ``(height, width)``."""
    dsize = (int(size[1]), int(size[0]))
    return (cv2.resize(image, dsize, interpolation=smooth_interpolation(image.shape, size)),
            cv2.resize(labels, dsize, interpolation=cv2.INTER_NEAREST))


def smooth_interpolation(src_shape: Sequence[int], size: Sequence[int]) -> int:
    """``cv2.INTER_AREA`` when shrinking (no aliasing), else ``cv2.INTER_LINEAR``."""
    shrink = int(size[0]) * int(size[1]) < src_shape[0] * src_shape[1]
    return cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
