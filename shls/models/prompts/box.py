"""A first mask from one box per object."""
from typing import Optional, Sequence

import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import BasePromptToMask, object_ids, paint_objects
from .boxes import Box, check_boxes
from .grabcut import MAYBE_BG, MAYBE_FG, SURE_BG, SURE_FG
from .tightness import pinpoints


@MODELS.register_module()
class BoxPromptToMask(BasePromptToMask):
    """Objects from boxes: GrabCut with everything outside the box as sure background,
    snapped to superpixels (see :class:`BasePromptToMask`).

    Inside the box every pixel is maybe-object, unless ``likely`` maps are given (one
    per box, e.g. the superpixels whose learned features look unlike the frame outside
    the box: :func:`shls.apis.box_prompt.feature_objectness`): then the pixels outside
    them start as maybe-background, which keeps background enclosed by the object (water
    between a swan's neck and back) out of the colour model.

    The box is taken as tight (:mod:`~shls.models.prompts.tightness`): while the mask
    misses rows or columns of the box, the most object-coloured pixel of each missed
    line becomes sure object and GrabCut cuts again, up to ``tightness_rounds`` times.

    ``component(image, boxes)`` returns the ``(H, W)`` uint8 id map with object ``i`` of
    box ``i`` (from 1); where two objects overlap the one with the smaller box is on top.

    Args:
        tightness_rounds: Cuts again with the missed lines pinpointed, at most this many
            times (0: the box is not taken as tight).
        recut_iterations: GrabCut iterations of each of these cuts (they start from the
            previous mask).
        **kwargs: The GrabCut settings of :class:`BasePromptToMask`.
    """

    def __init__(self, tightness_rounds: int = 3, recut_iterations: int = 1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if tightness_rounds < 0 or recut_iterations < 1:
            raise ConfigError('BoxPromptToMask needs tightness_rounds >= 0 and '
                              f'recut_iterations >= 1, got {tightness_rounds} and '
                              f'{recut_iterations}')
        self.tightness_rounds = int(tightness_rounds)
        self.recut_iterations = int(recut_iterations)

    def __call__(self, image: np.ndarray, prompt: Sequence,
                 likely: Optional[Sequence[np.ndarray]] = None) -> np.ndarray:
        """Id map of ``prompt``: one box ``(x0, y0, x1, y1)`` or a list of them (pixels,
        ``x1``/``y1`` exclusive; strings ``'x0,y0,x1,y1'`` accepted).

        Args:
            image: ``(H, W, 3)`` RGB frame.
            prompt: The boxes.
            likely: Optional ``(H, W)`` bool map per box where its object likely is.

        Raises:
            ValueError: A malformed box, an empty one, or one outside the frame.
        """
        rgb = self.rgb(image)
        boxes = check_boxes(prompt, rgb.shape[:2])
        ids = object_ids(len(boxes))
        if likely is not None and len(likely) != len(boxes):
            raise ValueError(f'{len(boxes)} boxes but {len(likely)} likely-object maps')
        masks = []
        for index, (x0, y0, x1, y1) in enumerate(boxes):
            seeds = np.full(rgb.shape[:2], SURE_BG, np.uint8)
            seeds[y0:y1, x0:x1] = MAYBE_FG
            if likely is not None and likely[index][y0:y1, x0:x1].any():
                seeds[y0:y1, x0:x1] = np.where(likely[index][y0:y1, x0:x1], MAYBE_FG,
                                               MAYBE_BG)
            box = (x0, y0, x1, y1)
            masks.append(self.tighten(rgb, box, self.cut_object(rgb, box, seeds)))
        areas = [(x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes]
        return paint_objects(masks, rgb.shape[:2], ids, areas)

    def tighten(self, rgb: np.ndarray, box: Box, mask: np.ndarray) -> np.ndarray:
        """``mask`` cut again until it meets every row and column of ``box`` (pinpointed
        pixels accumulate as sure object) or ``tightness_rounds`` cuts are done."""
        x0, y0, x1, y1 = box
        sure = np.zeros((y1 - y0, x1 - x0), bool)
        for _ in range(self.tightness_rounds):
            pins = pinpoints(rgb, mask, box)
            if not pins.any():
                break
            sure |= pins
            seeds = np.full(rgb.shape[:2], SURE_BG, np.uint8)
            inner = np.where(mask[y0:y1, x0:x1], MAYBE_FG, MAYBE_BG).astype(np.uint8)
            inner[sure] = SURE_FG
            seeds[y0:y1, x0:x1] = inner
            mask = self.cut_object(rgb, box, seeds, self.recut_iterations)
        return mask
