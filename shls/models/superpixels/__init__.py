from .base import (BaseSuperpixelGenerator, SuperpixelGenerator, relabel_contiguous,
                   to_rgb_uint8)
from .cache import CachedSuperpixels
from .grid import GridSuperpixels
from .isec import ISECSuperpixels, contours_to_labels
from .mask_cut import cut_superpixels_by_mask, superpixel_mode
from .resized import ResizedSuperpixels
from .shifted import ShiftedSuperpixels
from .slic import SLICSuperpixels
from .tiled import TiledSuperpixels

__all__ = ['BaseSuperpixelGenerator', 'CachedSuperpixels', 'GridSuperpixels',
           'ISECSuperpixels', 'ResizedSuperpixels', 'SLICSuperpixels', 'ShiftedSuperpixels',
           'SuperpixelGenerator',
           'TiledSuperpixels', 'contours_to_labels', 'cut_superpixels_by_mask',
           'relabel_contiguous', 'superpixel_mode', 'to_rgb_uint8']
