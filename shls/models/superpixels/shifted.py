"""Any superpixel generator run on a frame shifted by a few pixels: a second partition
whose superpixel borders fall between those of the first."""
from typing import Sequence, Union

import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import SuperpixelGenerator


@MODELS.register_module()
class ShiftedSuperpixels(SuperpixelGenerator):
    """Segment the frame padded by ``shift`` pixels at its top and left (mirrored), then
    crop the labels back to the frame.

    Grid-seeded generators (SLIC, the regular grid) place their seeds relative to the
    image origin, so half the seed spacing (5 px for SLIC with ``segment_area=100``)
    gives a partition whose superpixels straddle the borders of the unshifted one. The
    extra partitions of ``test_cfg.extra_partitions`` use it (README, "Several
    partitions per frame").

    Args:
        generator: The wrapped generator, or its config dict (built from ``MODELS``).
        shift: Pixels added above and to the left, one int for both or ``(rows, cols)``.
    """

    def __init__(self, generator: Union[dict, SuperpixelGenerator],
                 shift: Union[int, Sequence[int]] = 5) -> None:
        rows, cols = (shift, shift) if np.isscalar(shift) else tuple(shift)
        if not all(int(v) == v and v >= 0 for v in (rows, cols)):
            raise ConfigError(f'ShiftedSuperpixels: shift must be one or two integers >= 0, '
                              f'got {shift!r}')
        self.generator = MODELS.build(generator) if isinstance(generator, dict) else generator
        self.shift = (int(rows), int(cols))

    def _segment(self, image: np.ndarray) -> np.ndarray:
        rows, cols = self.shift
        h, w = image.shape[:2]
        # mirrored padding needs a pad narrower than the frame; edge padding otherwise
        mode = 'reflect' if rows < h and cols < w else 'edge'
        padded = np.pad(image, ((rows, 0), (cols, 0), (0, 0)), mode=mode)
        return self.generator(padded)[rows:, cols:]
