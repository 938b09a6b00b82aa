"""The interface of the components that turn a user's prompt into a first mask."""
from abc import ABCMeta, abstractmethod
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from shls.models.superpixels import SuperpixelGenerator, to_rgb_uint8
from shls.registry import MODELS
from shls.utils.errors import ConfigError, InputError
from .grabcut import crop_around, grabcut_object


class BasePromptToMask(metaclass=ABCMeta):
    """Turns a prompt (boxes, scribbles ...) on a frame into an ``(H, W)`` id map.

    Subclasses implement :meth:`__call__` with their prompt; they share
    :meth:`cut_object`: GrabCut seeded in a crop around the object, snapped to
    superpixels (:func:`~shls.models.prompts.grabcut.grabcut_object`). Components are
    plain callables registered in ``MODELS``, built by ``type`` like the superpixel
    generators.

    Args:
        iterations: GrabCut iterations.
        margin: The crop around an object's region, as a fraction of its sides.
        min_margin: ... and at least this many pixels (GrabCut learns the background
            colours there).
        max_side: Longest crop side GrabCut works at (larger crops are scaled down).
        superpixels: Generator (or its config) the GrabCut result is snapped to; None:
            no snapping.
        min_fraction: Object parts smaller than this fraction of the largest are dropped.
        min_fill: GrabCut stops before an object shrinks below this fraction of its
            region (a box: an object fills much of its box).
    """

    def __init__(self, iterations: int = 5, margin: float = 1.0, min_margin: int = 12,
                 max_side: int = 640,
                 superpixels: Union[dict, SuperpixelGenerator, None] = dict(
                     type='SLICSuperpixels', segment_area=50, compactness=10),
                 min_fraction: float = 0.1, min_fill: float = 0.25) -> None:
        if iterations < 1 or margin < 0 or min_margin < 1 or max_side < 16:
            raise ConfigError('PromptToMask needs iterations >= 1, margin >= 0, '
                              'min_margin >= 1 and max_side >= 16')
        self.iterations = int(iterations)
        self.margin = float(margin)
        self.min_margin = int(min_margin)
        self.max_side = int(max_side)
        self.superpixels = (MODELS.build(superpixels) if isinstance(superpixels, dict)
                            else superpixels)
        self.min_fraction = float(min_fraction)
        self.min_fill = float(min_fill)

    @abstractmethod
    def __call__(self, image: np.ndarray, prompt) -> np.ndarray:
        """The ``(H, W)`` uint8 id map (0 = background, objects 1, 2, ...) of a prompt."""

    def cut_object(self, rgb: np.ndarray, region: Tuple[int, int, int, int],
                   seeds: np.ndarray, iterations: Optional[int] = None) -> np.ndarray:
        """One object as an ``(H, W)`` bool mask.

        Args:
            rgb: ``(H, W, 3)`` uint8 frame.
            region: ``(x0, y0, x1, y1)`` where the object is (a box, the strokes' box).
            seeds: ``(H, W)`` uint8 GrabCut labels of the whole frame.
            iterations: GrabCut iterations (default: :attr:`iterations`).
        """
        rows, cols = crop_around(region, rgb.shape[:2], self.margin, self.min_margin)
        x0, y0, x1, y1 = region
        out = np.zeros(rgb.shape[:2], bool)
        iterations = self.iterations if iterations is None else int(iterations)
        out[rows, cols] = grabcut_object(rgb[rows, cols], seeds[rows, cols], iterations,
                                         self.superpixels, self.max_side, self.min_fraction,
                                         self.min_fill * (x1 - x0) * (y1 - y0))
        return out

    @staticmethod
    def rgb(image: np.ndarray) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB of an image (see :func:`to_rgb_uint8`)."""
        return to_rgb_uint8(image)

    def __repr__(self) -> str:
        params = ', '.join(f'{k}={v!r}' for k, v in sorted(vars(self).items()))
        return f'{type(self).__name__}({params})'


def paint_objects(masks: Sequence[np.ndarray], shape: Tuple[int, int],
                  ids: Optional[Sequence[int]] = None, order: Optional[Sequence[float]] = None
                  ) -> np.ndarray:
    """Id map of binary object masks; where they overlap the object first in ``order``
    (ascending; default: the smaller mask) is on top.

    Args:
        masks: ``(H, W)`` bool masks.
        shape: ``(H, W)``.
        ids: Id of each mask (default 1, 2, ...).
        order: Sort key of each mask, the smallest painted last (on top).

    Returns:
        ``(H, W)`` uint8 ids.
    """
    ids = list(range(1, len(masks) + 1)) if ids is None else list(ids)
    order = [float(m.sum()) for m in masks] if order is None else list(order)
    out = np.zeros(shape, np.uint8)
    for index in np.argsort(order, kind='stable')[::-1]:
        out[masks[index]] = ids[index]
    return out


def object_ids(count: int) -> List[int]:
    """Ids 1..count, checked to fit an id map (1..254)."""
    if not 1 <= count <= 254:
        raise InputError(f'1 to 254 objects can be prompted, got {count}')
    return list(range(1, count + 1))
