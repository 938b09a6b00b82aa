"""Pooling CNN features per superpixel into 32-d superfeatures (method.md §3)."""
from typing import Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from shls.registry import MODELS
from ..utils import batch_offsets, downsample_labels, segment_mean, segment_meta


def _projection(in_channels: int, out_channels: int, norm: bool) -> nn.Sequential:
    layers = [nn.Linear(in_channels, out_channels)]
    if norm:
        layers.append(nn.LayerNorm(out_channels))
    layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


@MODELS.register_module()
class SuperfeatureHead(BaseModule):
    """Superpixel pooling + the two FC heads + the learned 2->1 merge of SHLS.

    For every superpixel: mean of ``l1`` (+3 meta values at full resolution) and mean of
    ``l4`` (+3 meta values recomputed on the stride-4 label map), each map pooled at its
    own resolution (labels downsampled by nearest neighbour when it is smaller) and
    projected to ``out_channels`` by Linear -> norm -> ReLU, then merged by a learned weighted sum of
    the two prototypes (the seed code's 1x1 conv over 2 channels) and an optional ReLU.
    A superpixel that vanishes at a map's resolution gets a zero prototype of that map.

    The seed code normalises each 32-d vector with ``BatchNorm1d(1)`` in train mode (its
    own statistics); ``LayerNorm(32)`` does the same per-vector normalisation without the
    train/eval mismatch of running statistics, so it is used when ``norm=True``.

    Args:
        l1_channels: Channels of the full-resolution backbone map.
        l4_channels: Channels of the stride-4 backbone map.
        out_channels: Superfeature size S (32 in SHLS).
        use_meta: Append the (size, row, col) meta values to each pooled vector.
        norm: LayerNorm after each projection.
        final_relu: ReLU after the merge (SHLS: non-negative superfeatures).
        init_cfg: mmengine init config.
    """

    def __init__(self, l1_channels: int = 64, l4_channels: int = 256, out_channels: int = 32,
                 use_meta: bool = True, norm: bool = True, final_relu: bool = True,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        meta = 3 if use_meta else 0
        self.use_meta = use_meta
        self.out_channels = out_channels
        self.proj_l1 = _projection(l1_channels + meta, out_channels, norm)
        self.proj_l4 = _projection(l4_channels + meta, out_channels, norm)
        self.merge = nn.Linear(2, 1)
        self.final_relu = final_relu

    def pool(self, l1: Tensor, l4: Tensor, superpixels: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Pool both maps per superpixel.

        Args:
            l1: ``(B, C1, H, W)`` (or smaller: pooled on downsampled labels).
            l4: ``(B, C4, h, w)``.
            superpixels: ``(B, H, W)`` int64, ids ``0..N_b-1`` per frame.

        Returns:
            ``(p1 (N, C1[+3]), p4 (N, C4[+3]), counts (B,))`` with ``N = sum(counts)``,
            superpixels of frame 0 first.
        """
        labels, counts = batch_offsets(superpixels)
        n = int(counts.sum())
        small = downsample_labels(labels, l4.shape[-2:])
        fine = labels
        if l1.shape[-2:] != labels.shape[-2:]:
            fine = downsample_labels(labels, l1.shape[-2:])
        p1 = segment_mean(l1, fine, n)
        p4 = segment_mean(l4, small, n)
        if self.use_meta:
            p1 = torch.cat([p1, segment_meta(labels, n).to(p1.dtype)], dim=1)
            p4 = torch.cat([p4, segment_meta(small, n).to(p4.dtype)], dim=1)
        return p1, p4, counts

    def forward(self, l1: Tensor, l4: Tensor, superpixels: Tensor) -> Tuple[Tensor, Tensor]:
        """Compute superfeatures.

        Args:
            l1: ``(B, C1, H, W)`` full-resolution features.
            l4: ``(B, C4, h, w)`` stride-4 features.
            superpixels: ``(B, H, W)`` int64 per-frame superpixel ids.

        Returns:
            ``(features (N, out_channels), counts (B,))``; rows are ordered frame by frame,
            superpixel id ascending.
        """
        p1, p4, counts = self.pool(l1, l4, superpixels)
        both = torch.stack([self.proj_l1(p1), self.proj_l4(p4)], dim=-1)
        out = self.merge(both).squeeze(-1)
        if self.final_relu:
            out = torch.relu(out)
        return out, counts
