"""SLIC superpixels from scikit-image."""
from typing import Optional

import numpy as np
from skimage.segmentation import slic

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import SuperpixelGenerator


@MODELS.register_module()
class SLICSuperpixels(SuperpixelGenerator):
    """SLIC (Achanta et al. 2012) as configured by SHLS.

    Args:
        n_segments: Approximate number of superpixels. SHLS trains with 300 at 256x256.
        segment_area: If given, overrides ``n_segments`` with ``H * W / segment_area``, so
            one setting gives the same density at every resolution (400 px gives ~160
            superpixels at 256x256 and ~1000 at 854x480).
        compactness: Colour/space trade-off (SHLS: 20; its YouTube-VOS setting: 3).
        sigma: Gaussian smoothing before segmentation.
        max_num_iter: k-means iterations (10 is scikit-image's default; 5 is ~40 % faster).
        enforce_connectivity: Merge disconnected fragments so every segment is connected.
    """

    def __init__(self, n_segments: int = 300, compactness: float = 20.0, sigma: float = 1.0,
                 max_num_iter: int = 10, enforce_connectivity: bool = True,
                 segment_area: Optional[float] = None) -> None:
        if n_segments < 1:
            raise ConfigError(f'n_segments must be >= 1, got {n_segments}')
        if segment_area is not None and segment_area <= 0:
            raise ConfigError(f'segment_area must be > 0, got {segment_area}')
        self.n_segments = int(n_segments)
        self.segment_area = segment_area
        self.compactness = float(compactness)
        self.sigma = float(sigma)
        self.max_num_iter = int(max_num_iter)
        self.enforce_connectivity = bool(enforce_connectivity)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        if image.shape[0] * image.shape[1] < 4:
            return np.zeros(image.shape[:2], np.int32)
        n_segments = self.n_segments
        if self.segment_area is not None:
            n_segments = max(1, round(image.shape[0] * image.shape[1] / self.segment_area))
        return slic(image, n_segments=n_segments, compactness=self.compactness,
                    sigma=self.sigma, max_num_iter=self.max_num_iter, convert2lab=True,
                    enforce_connectivity=self.enforce_connectivity, start_label=0,
                    channel_axis=-1)
