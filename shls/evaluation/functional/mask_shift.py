"""Object masks grown or shrunk by a few pixels: how exact must a first mask be?"""
import cv2
import numpy as np

from shls.structures.ids import BACKGROUND, VOID_ID


def shift_objects(mask: np.ndarray, pixels: int) -> np.ndarray:
    """``mask`` with every object's boundary moved outwards (``pixels > 0``) or inwards
    (``pixels < 0``) by ``|pixels|`` (a disc of that radius).

    Objects grow into the background only (never into another object or void; where two
    grown objects meet, the larger id wins) and shrink away from every other id, void
    included (an object thinner than ``2 * |pixels|`` vanishes); the frame's edge does
    not shrink them. Void pixels stay void.

    Args:
        mask: ``(H, W)`` uint8 object ids (0 background, 255 void).
        pixels: Signed shift in pixels (0: an unchanged copy).

    Returns:
        ``(H, W)`` uint8 object ids.
    """
    mask = np.asarray(mask, np.uint8)
    if pixels == 0:
        return mask.copy()
    radius = abs(int(pixels))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    objects = np.where(mask == VOID_ID, BACKGROUND, mask).astype(np.uint8)
    if pixels > 0:
        return np.where(mask == BACKGROUND, cv2.dilate(objects, disc), mask).astype(np.uint8)
    # an object pixel stays when the whole disc around it holds its id (min == max)
    out = mask.copy()
    out[(objects != BACKGROUND) & (cv2.erode(objects, disc) != cv2.dilate(objects, disc))] = \
        BACKGROUND
    return out
