"""The slim ResNet-18 of SHLS (method.md §1)."""
from typing import Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .resize import resize_map


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or 1x1 projection) shortcut."""

    #: Each batch norm is applied directly to this convolution's output (what
    #: :func:`shls.deployment.fold_bn.fold_batchnorm` may fold for inference).
    conv_bn_pairs = (('conv1', 'bn1'), ('conv2', 'bn2'))

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
        input_scale: The frame is resized by this factor (bilinear; for 0.5, the mean of
            each 2x2 block) before the stem, which divides the cost by about
            ``1 / input_scale**2``; ``l1`` is still returned at the input size (see
            ``l1_at_input_size``). A model property: it changes the features, so measure
            (or train) the model at the scale it runs at.
        l1_at_input_size: Upsample ``l1`` to the input size (the paper; what the
            refinement decoder needs). ``False`` returns it at its own stride, and
            :class:`~shls.models.heads.SuperfeatureHead` pools it there: no ``(C1, H, W)``
            map is materialised (~25 ms per 480p frame on 2 cores).
        init_cfg: mmengine init config.
    """

    def __init__(self, in_channels: int = 3, stem_channels: int = 64,
                 stage_channels: Sequence[int] = (64, 128, 256, 256),
                 stage_strides: Sequence[int] = (1, 2, 1, 1),
                 stage_blocks: Sequence[int] = (2, 2, 2, 2), input_scale: float = 1.0,
                 l1_at_input_size: bool = True, init_cfg=None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                             nonlinearity='relu'),
                        dict(type='Constant', layer='BatchNorm2d', val=1, bias=0)]
        super().__init__(init_cfg=init_cfg)
        if not len(stage_channels) == len(stage_strides) == len(stage_blocks):
            raise ConfigError('stage_channels, stage_strides and stage_blocks must have the '
                              'same length')
        if not 0 < input_scale <= 1:
            raise ConfigError(f'input_scale must be in (0, 1], got {input_scale!r}')
        self.input_scale = float(input_scale)
        self.l1_at_input_size = bool(l1_at_input_size)
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
        """Args: x: ``(B, 3, H, W)``. Returns: ``(l1 (B, C1, H, W), l4 (B, C4, h, w))``
        (``l1`` at its own stride when :attr:`l1_at_input_size` is off)."""
        return self.finish(self.forward_stages(x), x.shape[-2:])

    def forward_stages(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """The convolutional part alone (what an inference engine runs, see
        :mod:`shls.deployment`): ``(first stage's map at stride 2, l4)`` of the frame
        resized by :attr:`input_scale`."""
        if self.input_scale != 1.0:
            x = F.interpolate(x, scale_factor=self.input_scale, mode='bilinear',
                              align_corners=False, recompute_scale_factor=False)
        out = self.stages[0](self.stem(x))
        first = out
        for stage in self.stages[1:]:
            out = stage(out)
        return first, out

    def finish(self, maps: Tuple[Tensor, Tensor],
               size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """:meth:`forward_stages` maps -> ``(l1 upsampled to size, l4)`` (``l1`` as it is
        when :attr:`l1_at_input_size` is off)."""
        first, l4 = maps
        if not self.l1_at_input_size:
            return first, l4
        return resize_map(first, size), l4
