"""Any superpixel generator run on a down-scaled frame, its labels scaled back up."""
from typing import Union

import cv2
import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import SuperpixelGenerator


@MODELS.register_module()
class ResizedSuperpixels(SuperpixelGenerator):
    """Segment a frame at ``scale`` of its size and upsample the labels (nearest).

    Superpixel algorithms cost about linearly in pixels, so ``scale=0.5`` makes them ~4x
    cheaper while the rest of the pipeline (features, output masks) keeps the full
    resolution; boundaries are then placed to within ``1 / scale`` pixels. Give the
    wrapped generator a size parameter for the small frame (e.g. SLIC
    ``segment_area`` times ``scale ** 2``) to keep the superpixel count.

    Args:
        generator: The wrapped generator, or its config dict (built from ``MODELS``).
        scale: Fraction of the frame size, in ``(0, 1]``.
    """

    def __init__(self, generator: Union[dict, SuperpixelGenerator],
                 scale: float = 0.5) -> None:
        if not 0 < scale <= 1:
            raise ConfigError(f'ResizedSuperpixels: scale must be in (0, 1], got {scale!r}')
        self.generator = MODELS.build(generator) if isinstance(generator, dict) else generator
        self.scale = float(scale)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        small_size = (max(1, round(w * self.scale)), max(1, round(h * self.scale)))
        if small_size == (w, h):
            return self.generator(image)
        small = cv2.resize(image, small_size, interpolation=cv2.INTER_AREA)
        labels = self.generator(small)
        return cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST)
