"""A first mask from a few strokes per object (a sparse palette PNG)."""
import os
from typing import List, Union

import numpy as np

from shls.datasets.mask_io import read_mask
from shls.registry import MODELS
from shls.utils.errors import InputError
from .base import BasePromptToMask, paint_objects
from .boxes import tight_box
from .grabcut import MAYBE_BG, MAYBE_FG, SURE_BG, SURE_FG

UNKNOWN = 0
BACKGROUND_STROKE = 255


@MODELS.register_module()
class ScribblePromptToMask(BasePromptToMask):
    """Objects from strokes: a sparse id map where 0 is unknown, ``k`` in 1..254 a stroke
    on object ``k`` and 255 an optional stroke on the background.

    For object ``k``: its strokes are sure object, the other objects' and the background
    strokes sure background, the box of its strokes enlarged by ``grow`` of its sides
    maybe-object, the rest of its crop maybe-background; then GrabCut and superpixels
    (see :class:`BasePromptToMask`). Stroke pixels keep their id; overlaps go to the
    smaller object.

    Args:
        grow: How far beyond its strokes an object may reach, as a fraction of the
            strokes' box sides.
        **kwargs: See :class:`BasePromptToMask`.
    """

    def __init__(self, grow: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.grow = float(grow)

    def __call__(self, image: np.ndarray,
                 prompt: Union[str, os.PathLike, np.ndarray]) -> np.ndarray:
        """Id map of a scribble (a PNG path or an ``(H, W)`` id array).

        Raises:
            FileNotFoundError: A missing scribble file.
            ValueError: Unreadable, of another size than the frame, or without a stroke.
        """
        rgb = self.rgb(image)
        strokes, name = read_scribble(prompt)
        if strokes.shape != rgb.shape[:2]:
            raise InputError(f'scribble is {strokes.shape[1]}x{strokes.shape[0]} but the '
                             f'frame is {rgb.shape[1]}x{rgb.shape[0]}: {name}')
        ids = scribble_ids(strokes, name)
        height, width = strokes.shape
        masks = []
        for k in ids:
            x0, y0, x1, y1 = tight_box(strokes == k)
            dx, dy = int(self.grow * (x1 - x0)) + 2, int(self.grow * (y1 - y0)) + 2
            region = (max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx),
                      min(height, y1 + dy))
            seeds = np.full(strokes.shape, MAYBE_BG, np.uint8)
            seeds[region[1]:region[3], region[0]:region[2]] = MAYBE_FG
            seeds[(strokes != UNKNOWN) & (strokes != k)] = SURE_BG
            seeds[strokes == k] = SURE_FG
            masks.append(self.cut_object(rgb, region, seeds))
        out = paint_objects(masks, strokes.shape, ids)
        known = np.isin(strokes, ids)
        out[known] = strokes[known]
        return out


def read_scribble(prompt) -> tuple:
    """``(strokes, name)`` of a scribble path or array."""
    if isinstance(prompt, (str, os.PathLike)):
        return read_mask(os.fspath(prompt)), os.fspath(prompt)
    array = np.asarray(prompt)
    if array.ndim != 2:
        raise InputError(f'a scribble must be (H, W) ids, got shape {array.shape}')
    return array, 'the scribble'


def scribble_ids(strokes: np.ndarray, name: str) -> List[int]:
    """Object ids with strokes, sorted (1..254)."""
    ids = [int(k) for k in np.unique(strokes) if UNKNOWN < k < BACKGROUND_STROKE]
    if not ids:
        raise InputError(f'scribble has no object stroke (ids 1..254; 0 = unknown, 255 = '
                         f'background): {name}')
    return ids
