"""Synthetic clips shared by the streaming tests (tests/ is on pytest's pythonpath).

Gray noise with a red square (id 1) moving right and a still blue square (id 2).
"""
import numpy as np

H, W = 64, 96
RED, BLUE = (220, 30, 30), (30, 40, 220)


def moving_squares(t: int, rng: np.random.Generator, step: int = 1, red: bool = True,
                   blue: bool = False):
    """Frame ``t`` and its id map: the red square's left edge is at ``8 + step * (t % 30)``."""
    img = (96 + rng.integers(0, 16, (H, W, 3))).astype(np.uint8)
    gt = np.zeros((H, W), np.uint8)
    if red:
        x = 8 + step * (t % 30)
        img[12:32, x:x + 20] = RED
        gt[12:32, x:x + 20] = 1
    if blue:
        img[40:58, 60:84] = BLUE
        gt[40:58, 60:84] = 2
    return img, gt


def iou(pred: np.ndarray, gt: np.ndarray, obj: int) -> float:
    """IoU of object ``obj`` between two id maps."""
    p, g = pred == obj, gt == obj
    return (p & g).sum() / max((p | g).sum(), 1)
