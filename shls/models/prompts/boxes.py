"""Boxes as users give them: parsing, checking, and the tight box of a mask."""
import math
from typing import List, Sequence, Tuple

import numpy as np

from shls.utils.errors import InputError

#: ``(x0, y0, x1, y1)`` in pixels: left, top, right, bottom edges (x1, y1 exclusive).
Box = Tuple[int, int, int, int]


def parse_box(text: str) -> Tuple[float, float, float, float]:
    """``'x0,y0,x1,y1'`` -> four numbers (``--box`` on the command line).

    Raises:
        ValueError: Not four comma-separated finite numbers.
    """
    parts = [p.strip() for p in str(text).split(',')]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(f'a box is four numbers x0,y0,x1,y1 (pixels), got {text!r}')
    return tuple(values)


def check_boxes(boxes, shape: Tuple[int, int]) -> List[Box]:
    """Boxes as a list of integer ``(x0, y0, x1, y1)``, each inside the frame and not empty.

    Args:
        boxes: One box (4 numbers) or a sequence of boxes; strings are parsed with
            :func:`parse_box`. Coordinates are rounded to whole pixels.
        shape: ``(H, W)`` of the frame.

    Raises:
        ValueError: A malformed box, one reaching outside the frame, or an empty one.
    """
    if isinstance(boxes, str) or (len(np.shape(boxes)) == 1 and len(boxes) == 4
                                  and not isinstance(boxes[0], str)):
        boxes = [boxes]
    height, width = shape
    out = []
    for index, box in enumerate(boxes):
        values = parse_box(box) if isinstance(box, str) else box
        try:
            array = np.asarray(values, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            array = np.zeros(0)
        if array.size != 4 or not np.isfinite(array).all():
            raise InputError(f'box {index + 1}: expected four numbers x0,y0,x1,y1, got '
                             f'{values!r}')
        x0, y0, x1, y1 = (int(v) for v in np.rint(array))
        if min(x0, y0) < 0 or x1 > width or y1 > height:
            raise InputError(f'box {index + 1} ({x0},{y0},{x1},{y1}) reaches outside the '
                             f'{width}x{height} frame')
        if x1 - x0 < 2 or y1 - y0 < 2:
            raise InputError(f'box {index + 1} ({x0},{y0},{x1},{y1}) is empty: x1 > x0 + 1 '
                             'and y1 > y0 + 1 are needed')
        out.append((x0, y0, x1, y1))
    if not out:
        raise InputError('no box given')
    return out


def tight_box(mask: np.ndarray) -> Box:
    """The tight box ``(x0, y0, x1, y1)`` of a boolean mask (``x1``, ``y1`` exclusive).

    Raises:
        ValueError: The mask is empty.
    """
    rows = np.flatnonzero(np.asarray(mask).any(axis=1))
    cols = np.flatnonzero(np.asarray(mask).any(axis=0))
    if rows.size == 0:
        raise ValueError('an empty mask has no box')
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def boxes_of_ids(ids: np.ndarray, objects: Sequence[int]) -> List[Box]:
    """Tight box of each object id of an id map, in the order of ``objects``."""
    return [tight_box(ids == k) for k in objects]
