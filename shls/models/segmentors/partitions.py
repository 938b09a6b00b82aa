"""More than one superpixel partition per frame (``test_cfg.extra_partitions``).

The memory and every decision that enters it stay with the frame's main partition. An
extra partition (e.g. the same SLIC on the frame shifted by half its seed spacing,
:class:`~shls.models.superpixels.ShiftedSuperpixels`) is pooled from the same backbone
maps and scored against the same memory; the class probabilities of all partitions,
painted to pixels, are averaged before the mask is made. A superpixel that straddles an
object border in one partition is split by the other, so the pixel mask errs less along
borders (README, "Several partitions per frame").
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from torch import Tensor

from shls.registry import build_component
from shls.utils.errors import ConfigError
from ..memory import MemoryReadout
from ..superpixels import SuperpixelGenerator

EXAMPLE = ("[dict(type='ResizedSuperpixels', scale=0.5, generator=dict("
           "type='ShiftedSuperpixels', shift=5, generator=dict(type='SLICSuperpixels', "
           "segment_area=100, compactness=20)))]")


@dataclass
class Partition:
    """One extra partition of a frame.

    Attributes:
        superpixels: ``(H, W)`` int64 ids ``0..M-1``.
        features: ``(M, D)`` descriptors (as the main partition's).
        readout: Their memory scores (``None`` before the memory is queried).
    """

    superpixels: Tensor
    features: Tensor
    readout: Optional[MemoryReadout] = None


def build_extra_partitions(cfgs: Optional[Sequence[dict]]) -> List[SuperpixelGenerator]:
    """The generators of ``test_cfg.extra_partitions`` (``[]`` for ``None``).

    Raises:
        ConfigError: Not a list of generator configs, or a bad config in it.
    """
    if cfgs is None:
        return []
    if not isinstance(cfgs, (list, tuple)):
        raise ConfigError(f'test_cfg.extra_partitions must be None or a list of superpixel '
                          f'generator configs (e.g. {EXAMPLE}), got {cfgs!r}')
    return [build_component(cfg, f'test_cfg.extra_partitions[{i}]', EXAMPLE)
            for i, cfg in enumerate(cfgs)]


def mean_painted(parts: Sequence[Tuple[Tensor, Tensor]]) -> Tensor:
    """Per-pixel class probabilities averaged over partitions.

    Args:
        parts: ``(superpixels (H, W), probs (M_i, C))`` of each partition, the same
            ``C`` classes in the same column order.

    Returns:
        ``(C, H, W)`` float32.
    """
    total = None
    for superpixels, probs in parts:
        painted = probs.float().T[:, superpixels]
        total = painted if total is None else total + painted
    return total / len(parts)
