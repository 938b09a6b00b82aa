"""Hand-crafted per-superpixel colour statistics, a companion to learned superfeatures."""
import cv2
import numpy as np
import torch
from torch import Tensor

from shls.registry import MODELS
from ..utils import segment_mean, segment_meta


@MODELS.register_module()
class SuperpixelColourStats:
    """Mean and standard deviation of CIE-Lab colour per superpixel, plus its centroid.

    A training-free descriptor (8 values: L, a, b means and standard deviations, mean row
    and mean column in ``[0, 1]``) computed with segment means, no loop over superpixels.
    On a CPU budget, concatenating it to the learned superfeatures helps the memory tell
    objects apart (see ``VideoSegmenter``'s ``handcrafted`` option).

    Args:
        use_std: Include the colour standard deviations.
        use_position: Include the centroid.
    """

    def __init__(self, use_std: bool = True, use_position: bool = True) -> None:
        self.use_std = use_std
        self.use_position = use_position

    @property
    def channels(self) -> int:
        return 3 + 3 * self.use_std + 2 * self.use_position

    def __call__(self, image: np.ndarray, superpixels: np.ndarray) -> Tensor:
        """Args:
            image: ``(H, W, 3)`` uint8 RGB.
            superpixels: ``(H, W)`` contiguous ids ``0..N-1``.

        Returns:
            ``(N, channels)`` float32 tensor.
        """
        lab = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2LAB).astype(np.float32)
        lab = torch.from_numpy(lab / 255.0).permute(2, 0, 1)[None]
        labels = torch.from_numpy(np.asarray(superpixels, np.int64))[None]
        n = int(labels.max()) + 1
        if self.use_std:  # first and second moments in one pass over the pixels
            moments = segment_mean(torch.cat([lab, lab * lab], dim=1), labels, n)
            mean = moments[:, :3]
            parts = [mean, (moments[:, 3:] - mean ** 2).clamp_min(0).sqrt()]
        else:
            parts = [segment_mean(lab, labels, n)]
        if self.use_position:
            parts.append(segment_meta(labels, n)[:, 1:])
        return torch.cat(parts, dim=1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(use_std={self.use_std}, '
                f'use_position={self.use_position})')
