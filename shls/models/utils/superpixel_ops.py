"""Vectorised tensor operations on superpixel label maps.

Everything works on flattened label maps with ``index_add_`` / ``bincount`` /
indexing; there is no Python loop over superpixels or pixels.
"""
import functools
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.structures.ids import VOID_ID


def batch_offsets(labels: Tensor) -> Tuple[Tensor, Tensor]:
    """Make per-frame superpixel ids unique across a batch of frames.

    Args:
        labels: ``(B, H, W)`` int64, ids ``0..N_b-1`` within each frame.

    Returns:
        ``(global_labels, counts)``: ``(B, H, W)`` ids offset so frame ``b`` uses
        ``[sum(counts[:b]), sum(counts[:b+1]))``, and ``(B,)`` counts ``N_b``.
    """
    counts = labels.flatten(1).amax(dim=1) + 1
    offsets = torch.cumsum(counts, 0) - counts
    return labels + offsets.view(-1, 1, 1), counts


def segment_mean(x: Tensor, labels: Tensor, num_segments: int) -> Tensor:
    """Mean of feature vectors over each segment.

    Args:
        x: ``(B, C, H, W)`` features.
        labels: ``(B, H, W)`` int64 global segment ids in ``[0, num_segments)``.
        num_segments: Total number of segments.

    Returns:
        ``(num_segments, C)``; segments with no pixel get zeros.
    """
    c = x.shape[1]
    idx = labels.reshape(-1)
    counts = torch.bincount(idx, minlength=num_segments).clamp_min(1).to(x.dtype)
    if _channels_last_only(x):
        # (B*H*W, C) is a view of channels-last maps (what oneDNN and the int8 backbone
        # return): adding whole pixel rows is ~2-7x faster on a CPU than the strided
        # (C, B*H*W) view below; the same sums to the bit (README, "Since commit 7247482")
        rows = x.permute(0, 2, 3, 1).reshape(-1, c)
        sums = rows.new_zeros(num_segments, c).index_add_(0, idx, rows)
        return sums / counts[:, None]
    # channels first: adding along the last dim of (C, B*H*W) is ~5-10x faster on a
    # CPU than permuting to (B*H*W, C) and adding rows (a view, no copy, when B == 1)
    flat = x.transpose(0, 1).reshape(c, -1)
    sums = flat.new_zeros(c, num_segments).index_add_(1, idx, flat)
    return (sums / counts).t().contiguous()


def _channels_last_only(x: Tensor) -> bool:
    """Whether ``(B, C, H, W)`` ``x`` is laid out channels-last and not also contiguous
    (a tensor with one channel or one pixel is both)."""
    return x.dim() == 4 and not x.is_contiguous() and x.is_contiguous(
        memory_format=torch.channels_last)


def segment_meta(labels: Tensor, num_segments: int) -> Tensor:
    """The three SHLS meta values per segment at the resolution of ``labels``.

    ``(area / (h*w), mean row / (h-1), mean column / (w-1))`` — method.md §3; a segment
    with no pixel at this resolution gets zeros.

    Args:
        labels: ``(B, h, w)`` int64 global segment ids.
        num_segments: Total number of segments.

    Returns:
        ``(num_segments, 3)`` float32.
    """
    _, h, w = labels.shape
    coords = _normalised_coordinates(h, w, labels.device)
    if labels.shape[0] > 1:
        coords = coords.repeat(1, labels.shape[0])
    idx = labels.reshape(-1)
    counts = torch.bincount(idx, minlength=num_segments).to(torch.float32)
    sums = coords.new_zeros(2, num_segments).index_add_(1, idx, coords)
    denom = counts.clamp_min(1)
    return torch.stack([counts / (h * w), sums[0] / denom, sums[1] / denom], dim=1)


@functools.lru_cache(maxsize=4)
def _normalised_coordinates(h: int, w: int, device: torch.device) -> Tensor:
    """``(2, h * w)`` float32 row / (h-1) and column / (w-1) of every pixel (cached: the
    same frame size comes back every frame)."""
    rows = (torch.arange(h, device=device, dtype=torch.float32) / max(h - 1, 1))
    cols = (torch.arange(w, device=device, dtype=torch.float32) / max(w - 1, 1))
    return torch.stack([rows.view(h, 1).expand(h, w), cols.view(1, w).expand(h, w)]).view(2, -1)


def _nearest_index(length: int, size: int, device: torch.device) -> Tensor:
    """Source indices of ``F.interpolate(mode='nearest')`` from ``length`` to ``size``."""
    ramp = torch.arange(length, dtype=torch.float64, device=device).view(1, 1, length)
    return F.interpolate(ramp, size=size, mode='nearest').view(size).long()


def downsample_labels(labels: Tensor, size: Tuple[int, int]) -> Tensor:
    """Nearest-neighbour resize of a ``(B, H, W)`` label map to ``size`` (h, w).

    The same pixels as ``F.interpolate(mode='nearest')`` (the indices come from it), but
    picked by indexing the integer map, with no float copy of the whole map.
    """
    rows = _nearest_index(labels.shape[1], size[0], labels.device)
    cols = _nearest_index(labels.shape[2], size[1], labels.device)
    return labels[:, rows[:, None], cols[None, :]]


def segment_mode(labels: Tensor, mask: Tensor, num_segments: int, num_classes: int,
                 ignore_index: int = VOID_ID) -> Tensor:
    """Most frequent mask class per segment (bincount over (segment, class) pairs).

    Args:
        labels: ``(...)`` int64 global segment ids.
        mask: ``(...)`` int64 class ids in ``[0, num_classes)`` or ``ignore_index``.
        num_segments: Total number of segments.
        num_classes: Number of classes (background included).
        ignore_index: Pixels with this value do not vote; a segment with no voting
            pixel gets ``ignore_index``.

    Returns:
        ``(num_segments,)`` int64.
    """
    idx = labels.reshape(-1)
    lab = mask.reshape(-1)
    valid = lab != ignore_index
    hist = torch.bincount(idx[valid] * num_classes + lab[valid],
                          minlength=num_segments * num_classes)
    hist = hist.view(num_segments, num_classes)
    mode = hist.argmax(dim=1)
    return torch.where(hist.sum(dim=1) > 0, mode, torch.full_like(mode, ignore_index))


def paint(values: Tensor, labels: Tensor) -> Tensor:
    """Paint per-segment values back to pixels: ``values[labels]``."""
    return values[labels]


def meta_maps(superpixels: Tensor, size: Tuple[int, int]) -> Tensor:
    """The three meta channels of every frame, painted to pixels at resolution ``size``.

    The label map is nearest-resized to ``size`` (as the superfeature head does for the
    stride-4 map), :func:`segment_meta` is computed there and painted back, so each pixel
    carries its superpixel's (area, mean row, mean column) at that resolution
    (method.md §3 step 1).

    Args:
        superpixels: ``(B, H, W)`` int64 per-frame ids ``0..N_b-1``.
        size: ``(h, w)`` of the wanted maps.

    Returns:
        ``(B, 3, h, w)`` float32.
    """
    labels, counts = batch_offsets(superpixels)
    if tuple(size) != tuple(labels.shape[-2:]):
        labels = downsample_labels(labels, tuple(size))
    meta = segment_meta(labels, int(counts.sum()))
    return paint(meta, labels).permute(0, 3, 1, 2)
