"""The one bilinear resize of backbone maps (L1 to the frame size, L4 to stride 4)."""
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor


def resize_map(x: Tensor, size: Sequence[int]) -> Tensor:
    """Bilinear resize (``align_corners=False``) of ``(B, C, h, w)`` to ``size``; the map
    itself when it already has that size."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=False)
