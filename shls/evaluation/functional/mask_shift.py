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
    out = mask.copy()
    if pixels == 0:
        return out
    radius = abs(int(pixels))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    objects = np.where(mask == VOID_ID, BACKGROUND, mask).astype(np.uint8)
    if pixels > 0:
        grown = cv2.dilate(objects, disc)
        return np.where(mask == BACKGROUND, grown, mask).astype(np.uint8)
    # an object pixel stays when every pixel of the disc around it holds the same id
    same = (cv2.erode(objects, disc) == objects) & (cv2.dilate(objects, disc) == objects)
    out[(objects != BACKGROUND) & ~same] = BACKGROUND
    return out
