from .base import BaseSuperpixelGenerator, relabel_contiguous, to_rgb_uint8
from .mask_cut import cut_superpixels_by_mask, superpixel_mode
from .slic import SLICSuperpixels

__all__ = ['BaseSuperpixelGenerator', 'SLICSuperpixels', 'cut_superpixels_by_mask',
           'relabel_contiguous', 'superpixel_mode', 'to_rgb_uint8']
