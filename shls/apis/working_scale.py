"""Resizing frames and masks to the inference working resolution and back."""
from typing import Tuple

import cv2
import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F


def working_size(shape: Tuple[int, int], scale: float) -> Tuple[int, int]:
    """``(h, w)`` of a frame of ``shape`` at ``scale`` (at least 8 pixels a side)."""
    h, w = shape
    if scale >= 1:
        return h, w
    return max(8, int(round(h * scale))), max(8, int(round(w * scale)))


def resize_frame(rgb: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """``(H, W, 3)`` uint8 -> ``size`` by area averaging (a copy only when resized)."""
    if rgb.shape[:2] == tuple(size):
        return rgb
    return cv2.resize(rgb, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def resize_mask(mask: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """Object-id mask -> ``size`` by nearest neighbour, keeping every id.

    An id whose pixels all fall between the nearest-neighbour samples (an object of a
    pixel or two at the working scale) is kept at the down-scaled position of its first
    pixel, so no object is lost from the annotation.
    """
    if mask.shape == tuple(size):
        return mask
    small = cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)
    lost = np.setdiff1d(np.unique(mask), np.unique(small))
    if len(lost):
        flat = mask.ravel()
        first = np.array([np.flatnonzero(flat == i)[0] for i in lost])  # one per object
        rows, cols = np.divmod(first, mask.shape[1])
        small[rows * size[0] // mask.shape[0], cols * size[1] // mask.shape[1]] = lost
    return small


def upscale_labels(labels: Tensor, size: Tuple[int, int]) -> Tensor:
    """``(h, w)`` int64 label map -> ``size`` by nearest neighbour."""
    if tuple(labels.shape) == tuple(size):
        return labels
    up = F.interpolate(labels[None, None].to(torch.float32), size=size, mode='nearest')
    return up[0, 0].to(labels.dtype)
