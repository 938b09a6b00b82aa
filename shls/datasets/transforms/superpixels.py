"""Per-frame superpixels inside a data pipeline."""
from typing import Callable, Union

import numpy as np
from mmcv.transforms import BaseTransform

from shls.models.superpixels import cut_superpixels_by_mask
from shls.registry import MODELS, TRANSFORMS
from shls.structures.ids import VOID_ID


@TRANSFORMS.register_module()
class ComputeSuperpixels(BaseTransform):
    """Compute superpixels of every frame of a clip.

    Required keys: ``frames`` (sequence of ``(H, W, 3)`` uint8 RGB); ``masks`` (at least
    frame 0's ``(H, W)`` labels) when ``cut_first_frame``.
    Added key: ``superpixels``, a list of ``(H, W)`` int32 maps with contiguous ids.

    Args:
        generator: Superpixel generator config (built with ``shls.registry.MODELS``) or
            a callable ``rgb -> (H, W) int labels``.
        cut_first_frame: Split frame 0's superpixels along its mask so that none
            straddles two labels (SHLS, method.md §2.3).
        ignore_index: Void label of the mask, passed to the cut.
    """

    def __init__(self, generator: Union[dict, Callable] = dict(type='SLICSuperpixels',
                                                                 n_segments=300),
                 cut_first_frame: bool = True, ignore_index: int = VOID_ID) -> None:
        self.generator = MODELS.build(generator) if isinstance(generator, dict) else generator
        if not callable(self.generator):
            raise TypeError(f'generator must be callable, got {type(self.generator)}')
        self.cut_first_frame = cut_first_frame
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        """Add ``results['superpixels']``."""
        superpixels = [np.asarray(self.generator(frame), dtype=np.int32)
                       for frame in results['frames']]
        if self.cut_first_frame and superpixels:
            masks = results.get('masks')
            if masks is None or len(masks) == 0:
                raise KeyError("ComputeSuperpixels(cut_first_frame=True) needs results['masks']"
                               ' with the mask of frame 0')
            superpixels[0] = cut_superpixels_by_mask(superpixels[0], np.asarray(masks[0]),
                                                     ignore_index=self.ignore_index)
        results['superpixels'] = superpixels
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(generator={self.generator!r}, '
                f'cut_first_frame={self.cut_first_frame}, ignore_index={self.ignore_index})')
