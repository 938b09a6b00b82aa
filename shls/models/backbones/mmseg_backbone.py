"""Any mmsegmentation backbone as the backbone of SHLS (``type='MMSegBackbone'``)."""
import math
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS
from shls.utils.compat import mmseg_models
from shls.utils.errors import ConfigError
from .resize import resize_map

#: Side of the blank frame that measures the channels of the two maps at build time.
PROBE_SIDE = 64


@MODELS.register_module()
class MMSegBackbone(BaseModule):
    """A backbone of mmsegmentation's registry (``ResNetV1c``, ``ResNet``,
    ``MobileNetV2``, ``MixVisionTransformer``, ...) giving the two maps SHLS expects.

    mmsegmentation backbones return one map per stage; SHLS wants ``l1``, a fine map at
    the input size, and ``l4``, a deep map on the stride-4 grid of
    :class:`~shls.models.backbones.SlimResNet` (what the refinement decoder crops).
    ``l1`` is output ``l1_index`` upsampled (bilinear) to the input size; ``l4`` is output
    ``l4_index`` resampled (bilinear) to ``ceil(H / 4) x ceil(W / 4)``. Their channels are
    measured once at build time (:attr:`l1_channels`, :attr:`l4_channels`) and must be the
    head's ``l1_channels`` / ``l4_channels``.

    mmsegmentation is imported only when this class is built (with the ``mmcv._ext``
    stand-in of :func:`shls.utils.compat.mmseg_models`); a backbone that needs compiled
    mmcv ops fails when it calls one.

    Example (a dilated ResNetV1c-18: l1 at stride 4, l4 at stride 8)::

        backbone=dict(type='MMSegBackbone', backbone=dict(
            type='ResNetV1c', depth=18, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4),
            init_cfg=None)),
        head=dict(type='SuperfeatureHead', l1_channels=64, l4_channels=512, ...)

    Args:
        backbone: Config of an mmsegmentation backbone (its ``type`` is looked up in
            mmsegmentation's registry).
        l1_index: Output of the backbone that becomes ``l1``.
        l4_index: Output of the backbone that becomes ``l4``.
        l1_at_input_size: Upsample ``l1`` to the input size (what the refinement decoder
            needs); ``False`` returns it at its own stride, and the head pools it there.
        init_cfg: mmengine init config of this wrapper (the wrapped backbone has its own).
    """

    def __init__(self, backbone: dict, l1_index: int = 0, l4_index: int = -1,
                 l1_at_input_size: bool = True, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(backbone, dict) or 'type' not in backbone:
            raise ConfigError(f'MMSegBackbone: backbone must be a config with a type, got '
                              f'{backbone!r}')
        self.backbone = mmseg_models().build(dict(backbone, _scope_='mmseg'))
        self.l1_index, self.l4_index = int(l1_index), int(l4_index)
        self.l1_at_input_size = bool(l1_at_input_size)
        self.l1_channels, self.l4_channels = self._probe_channels()

    def _probe_channels(self) -> Tuple[int, int]:
        """``(C1, C4)`` of the two chosen outputs, from one blank frame."""
        was_training = self.backbone.training
        self.backbone.eval()
        with torch.no_grad():
            outputs = self.backbone(torch.zeros(1, 3, PROBE_SIDE, PROBE_SIDE))
        self.backbone.train(was_training)
        try:
            return int(outputs[self.l1_index].shape[1]), int(outputs[self.l4_index].shape[1])
        except IndexError as err:
            raise ConfigError(f'MMSegBackbone: l1_index={self.l1_index} / l4_index='
                              f'{self.l4_index} for a backbone with {len(outputs)} '
                              'outputs') from err

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Args: x: ``(B, 3, H, W)``. Returns: ``(l1 (B, C1, H, W), l4 (B, C4, ceil(H/4),
        ceil(W/4)))`` (``l1`` at its own stride when :attr:`l1_at_input_size` is off)."""
        outputs = self.backbone(x)
        height, width = x.shape[-2:]
        l1 = outputs[self.l1_index]
        if self.l1_at_input_size:
            l1 = resize_map(l1, (height, width))
        l4 = resize_map(outputs[self.l4_index], (math.ceil(height / 4), math.ceil(width / 4)))
        return l1, l4
