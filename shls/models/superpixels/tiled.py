"""Any superpixel generator run on horizontal strips of a frame, strips in parallel."""
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Union

import numpy as np
import torch

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import SuperpixelGenerator


@MODELS.register_module()
class TiledSuperpixels(SuperpixelGenerator):
    """Segment ``tiles`` horizontal strips of a frame separately, in parallel threads.

    SLIC in scikit-image runs on one core (and releases the GIL), so on a 2-core CPU two
    strips segmented at once take about half the time of the whole frame. The partition
    differs from the whole-frame one only along the strip borders, where superpixels
    that would straddle a border are split in two; the result never depends on the
    number of threads. Give the wrapped generator a density parameter (e.g. SLIC
    ``segment_area``) so that each strip gets its share of superpixels.

    Args:
        generator: The wrapped generator, or its config dict (built from ``MODELS``).
            It must be thread-safe (every generator of this package is).
        tiles: Number of strips (rows of the frame split as evenly as possible).
        workers: Threads; ``None`` = ``min(tiles, torch.get_num_threads())`` at each
            call, so a process limited to one thread segments the strips one by one.
    """

    def __init__(self, generator: Union[dict, SuperpixelGenerator], tiles: int = 2,
                 workers: Optional[int] = None) -> None:
        if int(tiles) != tiles or tiles < 1:
            raise ConfigError(f'TiledSuperpixels: tiles must be an integer >= 1, got '
                              f'{tiles!r}')
        if workers is not None and (int(workers) != workers or workers < 1):
            raise ConfigError(f'TiledSuperpixels: workers must be None or an integer >= 1, '
                              f'got {workers!r}')
        self.generator = MODELS.build(generator) if isinstance(generator, dict) else generator
        self.tiles = int(tiles)
        self.workers = workers

    def _segment(self, image: np.ndarray) -> np.ndarray:
        bounds = np.linspace(0, image.shape[0], min(self.tiles, image.shape[0]) + 1)
        bounds = np.round(bounds).astype(int)
        strips = [image[top:bottom] for top, bottom in zip(bounds[:-1], bounds[1:])]
        workers = self.workers or min(len(strips), max(1, torch.get_num_threads()))
        if workers == 1 or len(strips) == 1:
            labels = [self.generator(strip) for strip in strips]
        else:
            with ThreadPoolExecutor(workers) as pool:
                labels = list(pool.map(self.generator, strips))
        return np.concatenate(_offset(labels), axis=0)


def _offset(labels: List[np.ndarray]) -> List[np.ndarray]:
    """Shift each strip's contiguous ids past those of the strips above it."""
    out, start = [], 0
    for strip in labels:
        out.append(strip + start)
        start += int(strip.max()) + 1
    return out
