"""Stage-2 descriptors: the learned superfeatures of a clip joined by a hand-crafted block
exactly as the inference core joins them (``test_cfg.handcrafted``)."""
from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from ..utils import BlockStandardizer


def describe_clip(features: Tensor, counts: Tensor, frames: Tensor, superpixels: Tensor,
                  handcrafted: Callable[[np.ndarray, np.ndarray], Tensor],
                  weights: Sequence[float]) -> Tensor:
    """Learned superfeatures + a hand-crafted block, standardised by frame 0's statistics.

    Args:
        features: ``(N, S)`` learned superfeatures of the clip's frames, frame by frame.
        counts: ``(T,)`` superpixels per frame.
        frames: ``(T, 3, H, W)`` uint8 RGB frames.
        superpixels: ``(T, H, W)`` int64 ids per frame.
        handcrafted: Descriptor ``(rgb (H, W, 3) uint8, ids (H, W)) -> (M, D)``, e.g.
            ``SuperpixelColourStats``.
        weights: Weights of the learned and the hand-crafted block.

    Returns:
        ``(N, S + D)`` detached descriptors (the memory stores detached superfeatures).
    """
    standardizer = BlockStandardizer(weights)
    rgb = frames.permute(0, 2, 3, 1).cpu().numpy()
    ids = superpixels.cpu().numpy()
    parts = []
    for t, learned in enumerate(features.detach().split(counts.tolist())):  # frames
        extra = handcrafted(rgb[t], ids[t]).to(device=learned.device, dtype=learned.dtype)
        parts.append(standardizer([learned, extra]))
    return torch.cat(parts)
