"""Decoder building blocks: residual block and RGMP-style refinement block."""
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class ResBlock(nn.Module):
    """Residual block of the SHLS decoder (method.md §6): ReLU on the input, two
    conv3x3-BN-ReLU, shortcut added back (1x1 conv projection when the width or stride
    changes).

    Args:
        in_channels: Input channels.
        out_channels: Output channels (default: ``in_channels``).
        stride: Stride of the first conv and of the projection.
    """

    def __init__(self, in_channels: int, out_channels: int = 0, stride: int = 1) -> None:
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride)

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(F.relu(x))))
        out = F.relu(self.bn2(self.conv2(out)))
        return (x if self.shortcut is None else self.shortcut(x)) + out


class RefineBlock(nn.Module):
    """Merge a skip map with a coarser decoder map: ``conv3x3(skip)`` + residual, add the
    coarser map bilinearly resized to the skip's size, residual.

    Args:
        skip_channels: Channels of the skip input.
        channels: Channels of the coarser map and of the output.
    """

    def __init__(self, skip_channels: int, channels: int) -> None:
        super().__init__()
        self.conv_skip = nn.Conv2d(skip_channels, channels, 3, 1, 1)
        self.res_skip = ResBlock(channels)
        self.res_merge = ResBlock(channels)

    def forward(self, skip: Tensor, coarse: Tensor) -> Tensor:
        """Args: skip ``(N, S, h, w)``; coarse ``(N, D, h', w')``. Returns ``(N, D, h, w)``."""
        out = self.res_skip(self.conv_skip(skip))
        out = out + F.interpolate(coarse, size=out.shape[-2:], mode='bilinear',
                                  align_corners=False)
        return self.res_merge(out)
