"""The SHLS segmentation refinement decoder (method.md §6)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .aggregation import BACKGROUND_FILL, paste_logits
from .blocks import RefineBlock, ResBlock
from .inputs import FrameInputs, crop_object_inputs
from .modulator import FeatureModulator
from .roi import box_sizes


#: Offset of the ``prune_only`` correction: ``-softplus(0 - 5) = -0.0067`` at initialisation.
PRUNE_OFFSET = 5.0


def boundary_band(mask: Tensor, width: int) -> Tensor:
    """``(N, 1, h, w)`` float map, 1 within ``width`` pixels (square neighbourhood) of the
    boundary of a ``(N, 1, h, w)`` bool mask, 0 elsewhere (all 0 for an empty or full
    mask)."""
    fg = mask.float()
    size = 2 * width + 1
    grown = F.max_pool2d(fg, size, 1, width)
    shrunk = 1.0 - F.max_pool2d(1.0 - fg, size, 1, width)
    return grown - shrunk


@MODELS.register_module()
class RefineDecoder(BaseModule):
    """Feature modulator + RGMP-style decoder giving 2-class logits per object ROI.

    Deep branch: ``concat(first L4, M4 = modulated previous/current L4)`` -> conv3x3 ->
    ``deep_channels`` -> residual block (stride 4). Skip branch: ``concat(first mask,
    previous output, first L1)`` -> 2 residual blocks (first with stride 2) ->
    ``skip_channels`` at stride 2. Refine-1 merges them at stride 2; Refine-2 merges with
    ``concat(skip input, current attention)`` at the ROI size; ReLU + conv3x3 -> logits.

    Args:
        l1_channels: C1 of the full-resolution features (67 = 64 + 3 meta in SHLS).
        l4_channels: C4 of the stride-4 features (259 = 256 + 3 meta in SHLS).
        att_channels: Attention-map channels per object.
        modulator_channels: Width of the modulator's input convs (32).
        deep_channels: Width of the deep branch and refine blocks (256).
        skip_channels: Width of the stride-2 skip branch (128).
        num_classes: Output logits per pixel (2: background, object).
        sampling_ratio: RoIAlign sampling ratio for the L4 crops (``<= 0`` = adaptive).
        fill: Background logit outside the ROI when pasting back.
        prior_weight: ``None`` (paper) or the initial weight of a residual prior: the
            current frame's Eq.-4 score of the object (from its attention maps, so the
            pre-segmentation at superpixel precision) times a learned scale, starting at
            ``prior_weight``, is added to the foreground-minus-background logit, and the
            last conv starts at zero. The untrained decoder then reproduces the
            pre-segmentation and training learns corrections to it, which a short CPU
            stage 2 can afford (an addition of this project, not in the paper).
        init_cfg: mmengine init config.
    """

    def __init__(self, l1_channels: int = 67, l4_channels: int = 259, att_channels: int = 4,
                 modulator_channels: int = 32, deep_channels: int = 256,
                 skip_channels: int = 128, num_classes: int = 2, sampling_ratio: int = 0,
                 fill: float = BACKGROUND_FILL, prior_weight: Optional[float] = None,
                 residual_band: Optional[int] = None, prune_only: bool = False,
                 init_cfg=None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                             nonlinearity='relu'),
                        dict(type='Constant', layer='BatchNorm2d', val=1, bias=0)]
        super().__init__(init_cfg=init_cfg)
        self.sampling_ratio = sampling_ratio
        self.fill = fill
        self.modulator = FeatureModulator(l1_channels, l4_channels, att_channels,
                                          modulator_channels)
        self.deep = nn.Sequential(
            nn.Conv2d(3 * l4_channels, deep_channels, 3, 1, 1), ResBlock(deep_channels))
        skip_in = l1_channels + 2
        self.skip = nn.Sequential(ResBlock(skip_in, skip_channels, stride=2),
                                  ResBlock(skip_channels))
        self.refine1 = RefineBlock(skip_channels, deep_channels)
        self.refine2 = RefineBlock(skip_in + att_channels, deep_channels)
        self.predict = nn.Conv2d(deep_channels, num_classes, 3, 1, 1)
        self.prior_scale = None
        if prior_weight is not None:
            if num_classes != 2 or att_channels != 4:
                raise ConfigError('prior_weight needs num_classes=2 and the 4 SHLS attention '
                                  'channels')
            self.prior_scale = nn.Parameter(torch.tensor(float(prior_weight)))
        if residual_band is not None and (prior_weight is None or residual_band < 1):
            raise ConfigError('residual_band needs prior_weight and must be >= 1 pixel')
        self.residual_band = residual_band
        if prune_only and prior_weight is None:
            raise ConfigError('prune_only needs prior_weight')
        self.prune_only = bool(prune_only)

    def init_weights(self) -> None:
        """mmengine init, then a zero last conv when a residual prior is used."""
        super().init_weights()
        if self.prior_scale is not None:
            nn.init.zeros_(self.predict.weight)
            nn.init.zeros_(self.predict.bias)

    def prior_logits(self, cur_att: Tensor) -> Tensor:
        """``(N, 2, h, w)`` logits whose difference is the scaled Eq.-4 object score."""
        score = cur_att[:, 0] - cur_att[:, 1] + cur_att[:, 2] - cur_att[:, 3]
        half = 0.5 * self.prior_scale * score[:, None]
        return torch.cat([-half, half], dim=1)

    def forward(self, first_l1: Tensor, first_l4: Tensor, first_mask: Tensor,
                prev_out: Tensor, prev_l1: Tensor, prev_l4: Tensor, prev_att: Tensor,
                cur_l1: Tensor, cur_l4: Tensor, cur_att: Tensor) -> Tensor:
        """Logits of N objects from their ROI-cropped inputs (see
        :class:`~shls.models.decoders.inputs.ObjectInputs` for the shapes).

        Returns:
            ``(N, num_classes, h, w)`` logits at the ROI size.
        """
        n = len(cur_l1)
        gated = self.modulator(torch.cat([prev_l1, cur_l1]), torch.cat([prev_att, cur_att]),
                               torch.cat([prev_l4, cur_l4]))
        deep = self.deep(torch.cat([first_l4, gated[:n], gated[n:]], dim=1))
        skip_in = torch.cat([first_mask, prev_out, first_l1], dim=1)
        out = self.refine1(self.skip(skip_in), deep)
        out = self.refine2(torch.cat([skip_in, cur_att], dim=1), out)
        logits = self.predict(F.relu(out))
        if self.prior_scale is not None:
            prior = self.prior_logits(cur_att)
            if self.prune_only:  # object-minus-background correction kept below 0
                delta = -F.softplus(logits[:, 1:] - logits[:, :1] - PRUNE_OFFSET)
                logits = torch.cat([torch.zeros_like(delta), delta], dim=1)
            if self.residual_band is not None:
                logits = logits * boundary_band(prior[:, 1:] > 0, self.residual_band)
            logits = logits + prior
        return logits

    def forward_frames(self, first: FrameInputs, prev: FrameInputs, cur: FrameInputs,
                       roi_size: Optional[Tuple[int, int]] = None,
                       max_side: Optional[int] = None) -> Tensor:
        """Crop every object's inputs at its ROIs, decode and paste back.

        Objects whose current boxes share a size are decoded as one batch. With
        ``roi_size`` every ROI is resized to that size instead (one batch), and the logits
        are resized back to the box when pasting.

        Args:
            first: Frame-0 inputs (boxes: frame-0 ROIs; ``obj_map``: GT masks).
            prev: Previous-frame inputs (``att``, ``obj_map`` = its output per object).
            cur: Current-frame inputs (``att``; boxes: current ROIs).
            roi_size: Optional fixed decoder input size ``(h, w)``.
            max_side: Optional cap on the longer side of the decoder input: larger ROIs
                are decoded shrunk to it (aspect kept, sides a multiple of 4) and their
                logits resized back to the box (speed, and the scale of training ROIs).

        Returns:
            ``(N, num_classes, H, W)`` full-frame logits; outside its ROI an object has
            background logit ``fill`` and foreground logit 0.
        """
        frame_size = tuple(cur.l1.shape[-2:])
        outs: List[Tensor] = []
        indices: List[Tensor] = []
        for index, size in self._groups(cur.boxes, roi_size, max_side):
            inputs = crop_object_inputs(first.select(index), prev.select(index),
                                        cur.select(index), size, self.sampling_ratio)
            logits = self(**inputs.to_kwargs())
            outs.append(paste_logits(logits, cur.boxes[index], frame_size, self.fill))
            indices.append(index)
        out = torch.cat(outs)
        return out[torch.argsort(torch.cat(indices))]

    @staticmethod
    def _groups(boxes: Tensor, roi_size: Optional[Tuple[int, int]],
                max_side: Optional[int] = None) -> List[Tuple[Tensor, Tuple[int, int]]]:
        """``(object indices, ROI size)`` batches: all at once with a fixed size, else by
        (capped) box size."""
        if roi_size is not None:
            return [(torch.arange(len(boxes), device=boxes.device), tuple(roi_size))]
        sizes = box_sizes(boxes.long())
        if max_side is not None:
            longer = sizes.max(dim=1, keepdim=True).values.clamp_min(1)
            shrunk = torch.ceil(sizes * (max_side / longer) / 4).long() * 4
            sizes = torch.where(longer > max_side, shrunk.clamp_min(4), sizes)
        unique, inverse = sizes.unique(dim=0, return_inverse=True)
        return [(torch.nonzero(inverse == g).squeeze(1), tuple(s))
                for g, s in enumerate(unique.tolist())]
