"""The slim ResNet-18 of SHLS (method.md §1)."""
from typing import Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or 1x1 projection) shortcut."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


@MODELS.register_module()
class SlimResNet(BaseModule):
    """ResNet-18 slimmed as in SHLS: stride-2 7x7 stem without max-pool, stages
    64/128/256/256 with strides 1/2/1/1, so the deepest map is at stride 4.

    Returns two maps: ``l1`` = the first stage's output (stride 2) bilinearly upsampled to
    the input size, and ``l4`` = the last stage's output (stride 4). Random init only.

    Args:
        in_channels: Input image channels.
        stem_channels: Channels of the 7x7 stem.
        stage_channels: Output channels of the four stages; scale them down for a cheaper
            CPU-tier model (e.g. ``(32, 64, 128, 128)``).
        stage_strides: Strides of the four stages.
        stage_blocks: Basic blocks per stage.
        init_cfg: mmengine init config.
    """

    def __init__(self, in_channels: int = 3, stem_channels: int = 64,
                 stage_channels: Sequence[int] = (64, 128, 256, 256),
                 stage_strides: Sequence[int] = (1, 2, 1, 1),
                 stage_blocks: Sequence[int] = (2, 2, 2, 2), init_cfg=None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                             nonlinearity='relu'),
                        dict(type='Constant', layer='BatchNorm2d', val=1, bias=0)]
        super().__init__(init_cfg=init_cfg)
        if not len(stage_channels) == len(stage_strides) == len(stage_blocks):
            raise ValueError('stage_channels, stage_strides and stage_blocks must have the '
                             'same length')
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem_channels, 7, 2, 3, bias=False),
            nn.BatchNorm2d(stem_channels), nn.ReLU(inplace=True))
        stages, channels = [], stem_channels
        for out_channels, stride, blocks in zip(stage_channels, stage_strides, stage_blocks):
            layers = [BasicBlock(channels, out_channels, stride)]
            layers += [BasicBlock(out_channels, out_channels) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*layers))
            channels = out_channels
        self.stages = nn.ModuleList(stages)
        self.l1_channels = stage_channels[0]
        self.l4_channels = stage_channels[-1]

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Args: x: ``(B, 3, H, W)``. Returns: ``(l1 (B, C1, H, W), l4 (B, C4, h, w))``."""
        return self.finish(self.forward_stages(x), x.shape[-2:])

    def forward_stages(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """The convolutional part alone (what an inference engine runs, see
        :mod:`shls.deployment`): ``(first stage's map at stride 2, l4)``."""
        out = self.stages[0](self.stem(x))
        first = out
        for stage in self.stages[1:]:
            out = stage(out)
        return first, out

    @staticmethod
    def finish(maps: Tuple[Tensor, Tensor], size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """:meth:`forward_stages` maps -> ``(l1 upsampled to size, l4)``."""
        first, l4 = maps
        return F.interpolate(first, size=size, mode='bilinear', align_corners=False), l4
