"""A contact sheet: evenly spaced frames of a video with their masks, in one image."""
from typing import Sequence

import cv2
import numpy as np

from .palette import DAVIS_PALETTE, overlay


def pick_evenly(num_frames: int, count: int) -> np.ndarray:
    """``min(count, num_frames)`` distinct frame indices from first to last."""
    if num_frames <= 0 or count <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.linspace(0, num_frames - 1, min(count, num_frames)).round()
                     .astype(np.int64))


def printable_label(label: object) -> str:
    """``label`` as plain ASCII for ``cv2.putText`` (which draws ASCII only and has
    crashed on text that is not valid UTF-8, e.g. undecodable bytes of a file name):
    anything else becomes ``?``."""
    text = str(label).encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
    return text.encode('ascii', 'replace').decode('ascii')


def contact_sheet(frames: Sequence[np.ndarray], masks: Sequence[np.ndarray],
                  labels: Sequence[str], columns: int = 4, tile_width: int = 320,
                  alpha: float = 0.5, palette: np.ndarray = DAVIS_PALETTE) -> np.ndarray:
    """Tile mask overlays of some frames into one RGB image.

    Args:
        frames: ``(H, W, 3)`` uint8 RGB frames (one size).
        masks: ``(H, W)`` object-id maps of the frames.
        labels: A caption per tile (e.g. the frame name), drawn at its top left.
        columns: Tiles per row.
        tile_width: Width of a tile in pixels (the height keeps the aspect ratio).
        alpha: Mask opacity.
        palette: Object colours.

    Returns:
        ``(rows * h, columns * tile_width, 3)`` uint8 RGB image (empty tiles black).
    """
    if not (len(frames) == len(masks) == len(labels)) or not frames:
        raise ValueError('contact_sheet needs as many frames, masks and labels, at least 1')
    h, w = frames[0].shape[:2]
    tile_h = max(1, round(h * tile_width / w))
    rows = -(-len(frames) // columns)
    sheet = np.zeros((rows * tile_h, columns * tile_width, 3), np.uint8)
    for i, (frame, mask, label) in enumerate(zip(frames, masks, labels)):
        tile = cv2.resize(overlay(frame, mask, alpha, palette), (tile_width, tile_h),
                          interpolation=cv2.INTER_AREA)
        cv2.putText(tile, printable_label(label), (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                    (255, 255, 255), 2, cv2.LINE_AA)
        r, c = divmod(i, columns)
        sheet[r * tile_h:(r + 1) * tile_h, c * tile_width:(c + 1) * tile_width] = tile
    return sheet
