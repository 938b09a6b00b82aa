"""The feature modulator of the SHLS refinement module (method.md §6)."""
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS


@MODELS.register_module()
class FeatureModulator(BaseModule):
    """Gate the stride-4 features of a frame with its L1 features and attention maps.

    ``conv3x3 s2 (L1 -> mid)`` + ``conv3x3 s2 (attention -> mid)``, summed, ReLU,
    ``conv3x3 s2 (mid -> C4)``, softmax over channels = gate; output ``gate * l4``. The ReLU
    after the sum is our choice (method.md does not say).

    Args:
        l1_channels: Channels of the full-resolution features (C1).
        l4_channels: Channels of the stride-4 features (C4).
        att_channels: Attention-map channels (4 in SHLS).
        mid_channels: Width of the two input convs (32 in SHLS).
        init_cfg: mmengine init config.
    """

    def __init__(self, l1_channels: int, l4_channels: int, att_channels: int = 4,
                 mid_channels: int = 32, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.conv_l1 = nn.Conv2d(l1_channels, mid_channels, 3, 2, 1)
        self.conv_att = nn.Conv2d(att_channels, mid_channels, 3, 2, 1)
        self.conv_gate = nn.Conv2d(mid_channels, l4_channels, 3, 2, 1)

    def gate(self, l1: Tensor, att: Tensor) -> Tensor:
        """Channel-softmax gate ``(N, C4, ceil(h/4), ceil(w/4))`` from ``(N, C1, h, w)`` L1
        and ``(N, A, h, w)`` attention maps."""
        mixed = F.relu(self.conv_l1(l1) + self.conv_att(att))
        return self.conv_gate(mixed).softmax(dim=1)

    def forward(self, l1: Tensor, att: Tensor, l4: Tensor) -> Tensor:
        """Args: l1 ``(N, C1, h, w)``; att ``(N, A, h, w)``; l4 ``(N, C4, ceil(h/4),
        ceil(w/4))``. Returns: the gated L4, same shape as ``l4``."""
        gate = self.gate(l1, att)
        if gate.shape != l4.shape:
            raise ValueError(f'gate {tuple(gate.shape)} and L4 {tuple(l4.shape)} differ; L4 '
                             'must be (N, C4, ceil(h/4), ceil(w/4)) for an h x w ROI')
        return gate * l4
