"""Regular-grid "superpixels" (the SHLS code's grid option; an ablation baseline)."""
import math
from typing import Tuple

import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import SuperpixelGenerator


@MODELS.register_module()
class GridSuperpixels(SuperpixelGenerator):
    """Split the image into a regular grid of about ``n_segments`` near-square cells.

    The cell side is ``sqrt(H * W / n_segments)``; the numbers of rows and columns are the
    rounded image sides divided by it (at least 1, at most the image side), so the count
    is ``n_segments`` up to rounding. Cells tile the image row-major; boundary cells
    absorb the remainder (sizes differ by at most one pixel per axis).

    Args:
        n_segments: Approximate number of cells (SHLS's grid option: 1024).
    """

    def __init__(self, n_segments: int = 1024) -> None:
        if n_segments < 1:
            raise ConfigError(f'n_segments must be >= 1, got {n_segments}')
        self.n_segments = int(n_segments)

    def grid_shape(self, height: int, width: int) -> Tuple[int, int]:
        """Rows and columns of the grid used for an ``height x width`` image."""
        side = math.sqrt(height * width / self.n_segments)
        rows = min(height, max(1, round(height / side)))
        cols = min(width, max(1, round(width / side)))
        return rows, cols

    def _segment(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        rows, cols = self.grid_shape(h, w)
        row_id = (np.arange(h) * rows) // h
        col_id = (np.arange(w) * cols) // w
        return (row_id[:, None] * cols + col_id[None, :]).astype(np.int32)
