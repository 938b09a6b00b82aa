"""Datasets: still images + masks, pseudo-video synthesis, DAVIS videos and transforms."""
from .davis import DAVISDataset, iter_frames, read_frame
from .image_mask_folder import DatasetError, ImageMaskFolder, read_object_mask, read_rgb
from .mask_io import read_mask, write_palette_png
from .pseudo_video import PseudoVideoDataset
from .synthesis import PseudoVideoSynthesizer
from .transforms import ComputeSuperpixels, PackVideoInputs
from .youtube_vos import YouTubeVOSDataset

__all__ = ['ComputeSuperpixels', 'DAVISDataset', 'DatasetError', 'ImageMaskFolder',
           'PackVideoInputs', 'PseudoVideoDataset', 'PseudoVideoSynthesizer', 'iter_frames',
           'read_frame',
           'read_mask', 'read_object_mask', 'read_rgb', 'write_palette_png', 'YouTubeVOSDataset']
