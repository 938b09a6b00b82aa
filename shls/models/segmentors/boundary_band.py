"""A finer superpixel partition along the objects' boundaries (``test_cfg.boundary_partition``).

Not in the paper. Where the frame's partitions (the main one and
``test_cfg.extra_partitions``) put an object's boundary, a finer partition of the same
frame, pooled from the same backbone maps, is scored against the memory too; within
``width`` pixels of that boundary its class probabilities join the per-pixel average
with the weight of one partition, or take a given ``share`` of it. Only its superpixels
in that band are scored. Objects smaller than ``min_object_side`` superpixel sides
(square root of their area) get no band: along a small object's border the finer
superpixels side with the background. The memory learns from the main partition only
(README, "Since commit bc11ebc" and "Since commit 12b3de6").
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import build_component
from shls.structures.ids import BACKGROUND
from shls.utils.errors import ConfigError
from shls.utils.keys import check_known_keys
from ..superpixels import SuperpixelGenerator

EXAMPLE = ("dict(generator=dict(type='ResizedSuperpixels', scale=0.5, generator=dict("
           "type='SLICSuperpixels', segment_area=50, compactness=20)), width=12, "
           "min_object_side=5.0)")
KEYS = ('generator', 'width', 'min_object_side', 'share')


@dataclass(frozen=True)
class BoundaryBand:
    """The finer partition and where it counts.

    Attributes:
        generator: Superpixel generator of the finer partition.
        width: Pixels on each side of an object's boundary (square window).
        min_object_side: Objects whose area is below ``(min_object_side * s) ** 2``,
            ``s`` the main partition's mean superpixel side, get no band.
        share: Share of the finer partition's probabilities in the band; ``None``:
            the weight of one partition (``1 / (n + 1)`` with ``n`` other partitions).
    """

    generator: SuperpixelGenerator
    width: int = 12
    min_object_side: float = 5.0
    share: Optional[float] = None


def build_boundary_band(cfg: Optional[dict]) -> Optional[BoundaryBand]:
    """The ``test_cfg.boundary_partition`` setting (``None`` when off).

    Raises:
        ConfigError: Not a dict, an unknown key, a bad generator, width or size.
    """
    if cfg is None:
        return None
    if not isinstance(cfg, dict) or 'generator' not in cfg:
        raise ConfigError(f'test_cfg.boundary_partition must be None or a dict with a '
                          f'generator (e.g. {EXAMPLE}), got {cfg!r}')
    check_known_keys(cfg, KEYS, 'test_cfg.boundary_partition')
    width, side = cfg.get('width', 12), cfg.get('min_object_side', 5.0)
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ConfigError(f'test_cfg.boundary_partition.width must be an int >= 1, got '
                          f'{width!r}')
    if isinstance(side, bool) or not isinstance(side, (int, float)) or not side >= 0:
        raise ConfigError(f'test_cfg.boundary_partition.min_object_side must be >= 0, '
                          f'got {side!r}')
    share = cfg.get('share')
    if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                              or not 0 < share <= 1):
        raise ConfigError(f'test_cfg.boundary_partition.share must be None or in (0, 1], '
                          f'got {share!r}')
    generator = build_component(cfg['generator'], 'test_cfg.boundary_partition.generator',
                                EXAMPLE)
    return BoundaryBand(generator, width, float(side),
                        None if share is None else float(share))


def object_band(maps: Tensor, classes: Tensor, width: int, min_area: float) -> Tensor:
    """:func:`band_mask` of the per-pixel winners of ``(C', H, W)`` probabilities of the
    first ``C'`` of the ``classes`` (the last one implied when ``C' < C``): pixels within
    ``width`` of the boundary of an object (not background) of at least ``min_area``."""
    return band_mask(_winners(maps, classes), _object_columns(classes), width, min_area)


def object_band_and_inside(maps: Tensor, classes: Tensor, width: int,
                           min_area: float) -> Tuple[Tensor, Tensor]:
    """:func:`object_band` and the rest of those objects' pixels (their inside farther
    than ``width`` from their boundary), both ``(H, W)`` bool."""
    winner = _winners(maps, classes)
    objects = _large_object_pixels(winner, _object_columns(classes), min_area)
    band = _band_around(winner, objects, width)
    return band, objects & ~band


def _winners(maps: Tensor, classes: Tensor) -> Tensor:
    """``(H, W)`` column of the most probable class of every pixel."""
    full = maps if len(maps) == len(classes) else torch.cat(
        [maps, 1 - maps.sum(dim=0, keepdim=True)])
    # argmax over a last, contiguous dim: ~5x faster on a CPU than over dim 0
    return full.permute(1, 2, 0).contiguous().argmax(dim=-1)


def _object_columns(classes: Tensor) -> Tensor:
    columns = torch.arange(len(classes), device=classes.device)
    return columns[classes != BACKGROUND]


def _large_object_pixels(columns: Tensor, object_columns: Tensor,
                         min_area: float) -> Tensor:
    """``(H, W)`` bool: the pixels of the ``object_columns`` that hold at least
    ``min_area`` pixels of ``columns``."""
    counts = torch.bincount(columns.flatten(), minlength=int(object_columns.max()) + 1
                            if len(object_columns) else 1)
    return torch.isin(columns, object_columns[counts[object_columns] >= min_area])


def band_mask(columns: Tensor, object_columns: Tensor, width: int, min_area: float) -> Tensor:
    """Pixels within ``width`` of the boundary of an object of at least ``min_area``.

    A pixel is in the band when a pixel of such an object's boundary (it or its right or
    lower neighbour belongs to the object, the other not) lies in the square window of
    half-side ``width`` around it.

    Args:
        columns: ``(H, W)`` int64 class column of every pixel.
        object_columns: ``(K,)`` columns that are objects (not background).
        width: Half-side of the square window.
        min_area: Smaller objects (pixels) get no band.

    Returns:
        ``(H, W)`` bool.
    """
    return _band_around(columns, _large_object_pixels(columns, object_columns, min_area),
                        width)


def _band_around(columns: Tensor, inside: Tensor, width: int) -> Tensor:
    """:func:`band_mask` of the objects whose pixels are ``inside``."""
    edges = torch.zeros_like(columns, dtype=torch.bool)
    if not bool(inside.any()):
        return edges
    right = (columns[:, 1:] != columns[:, :-1]) & (inside[:, 1:] | inside[:, :-1])
    down = (columns[1:] != columns[:-1]) & (inside[1:] | inside[:-1])
    edges[:, 1:] |= right
    edges[:, :-1] |= right
    edges[1:] |= down
    edges[:-1] |= down
    return max_filter(edges, width)


def max_filter(mask: Tensor, width: int) -> Tensor:
    """``(H, W)`` bool grown by a ``(2 width + 1)`` square: OpenCV on a CPU, a separable
    max-pool elsewhere (:func:`max_pool_filter`, the same result)."""
    if mask.device.type != 'cpu':
        return max_pool_filter(mask, width)
    k = 2 * width + 1
    grown = cv2.dilate(mask.numpy().view(np.uint8), np.ones((k, k), np.uint8))
    return torch.from_numpy(grown.view(bool))


def max_pool_filter(mask: Tensor, width: int) -> Tensor:
    """:func:`max_filter` by two 1-D max-pools (any device)."""
    k = 2 * width + 1
    out = F.max_pool2d(mask[None, None].float(), (1, k), stride=1, padding=(0, width))
    return F.max_pool2d(out, (k, 1), stride=1, padding=(width, 0))[0, 0] > 0


def mix_in_band(maps: Tensor, band: Tensor, painted: Tensor, partitions: int,
                share: Optional[float] = None) -> Tensor:
    """Inside ``band``, the finer partition's painted probabilities join the average of
    ``partitions`` partitions with the weight of one (or with ``share``); elsewhere
    ``maps`` stay.

    Args:
        maps: ``(C', H, W)`` averaged probabilities.
        band: ``(H, W)`` bool.
        painted: ``(C', H, W)`` the finer partition's probabilities (any value outside
            the band).
        partitions: How many partitions ``maps`` averages.
        share: The finer partition's share (``None``: ``1 / (partitions + 1)``).
    """
    weight = 1 / (partitions + 1) if share is None else share
    mixed = torch.lerp(maps, painted, weight)
    return torch.where(band[None], mixed, maps)
