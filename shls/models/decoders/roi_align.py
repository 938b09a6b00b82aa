"""RoIAlign and ROI crop-and-resize written with ``F.grid_sample`` (no torchvision).

Sampling follows the usual RoIAlign rules: every output bin averages
``sampling_ratio x sampling_ratio`` bilinear samples at regular positions inside the bin; a
sample farther than one pixel (``bound``) beyond the outermost pixel centres reads 0, one
within that band reads the clamped border value; ``aligned=True`` shifts the box by half a
pixel so that a box ``[x1, x2)`` in pixel-edge coordinates covers exactly those pixels.
"""
import math
from typing import Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

Size = Union[int, Tuple[int, int]]


def _pair(size: Size) -> Tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def _axis_samples(lo: Tensor, hi: Tensor, bins: int, ratio: int,
                  aligned: bool) -> Tensor:
    """``(K, bins * ratio)`` sample coordinates along one axis (pixel-index units)."""
    offset = 0.5 if aligned else 0.0
    lo, hi = lo - offset, hi - offset
    extent = hi - lo if aligned else (hi - lo).clamp(min=1.0)
    step = extent / bins
    pos = torch.arange(bins * ratio, device=lo.device, dtype=lo.dtype)
    frac = pos // ratio + (pos % ratio + 0.5) / ratio
    return lo[:, None] + frac[None, :] * step[:, None]


def _normalise(coords: Tensor, extent: int) -> Tensor:
    """Pixel-index coordinates -> grid_sample coordinates (``align_corners=True``)."""
    return coords * (2.0 / max(extent - 1, 1)) - 1.0


def _sample_rois(features: Tensor, boxes: Tensor, out_size: Tuple[int, int],
                 ratio: Tuple[int, int], aligned: bool, mode: str, bound: float) -> Tensor:
    """RoIAlign with one fixed sampling ratio for every box; boxes in map coordinates.
    Samples more than ``bound`` pixels outside the outermost pixel centres read 0."""
    h, w = features.shape[-2:]
    oh, ow = out_size
    ys = _axis_samples(boxes[:, 2], boxes[:, 4], oh, ratio[0], aligned)
    xs = _axis_samples(boxes[:, 1], boxes[:, 3], ow, ratio[1], aligned)
    valid = (((ys >= -bound) & (ys <= h - 1 + bound))[:, :, None]
             & ((xs >= -bound) & (xs <= w - 1 + bound))[:, None, :])
    grid = torch.stack(torch.broadcast_tensors(_normalise(xs, w)[:, None, :],
                                               _normalise(ys, h)[:, :, None]), dim=-1)
    out = features.new_empty((len(boxes), features.shape[1]) + grid.shape[1:3])
    batch_idx = boxes[:, 0].long()
    for b in batch_idx.unique().tolist():
        sel = torch.nonzero(batch_idx == b).squeeze(1)
        g = grid[sel].reshape(1, -1, grid.shape[2], 2)
        sampled = F.grid_sample(features[b:b + 1], g, mode=mode, padding_mode='border',
                                align_corners=True)
        out[sel] = sampled.reshape(features.shape[1], len(sel), -1, grid.shape[2]
                                   ).transpose(0, 1)
    out = out * valid[:, None].to(out.dtype)
    k, c = out.shape[:2]
    return out.reshape(k, c, oh, ratio[0], ow, ratio[1]).mean(dim=(3, 5))


def _adaptive_ratios(boxes: Tensor, out_size: Tuple[int, int], aligned: bool) -> Tensor:
    """``(K, 2)`` per-box sampling ratios ``ceil(roi_size / out_size)`` (at least 1)."""
    extent = torch.stack([boxes[:, 4] - boxes[:, 2], boxes[:, 3] - boxes[:, 1]], dim=1)
    if not aligned:
        extent = extent.clamp(min=1.0)
    bins = torch.tensor(out_size, dtype=extent.dtype, device=extent.device)
    return torch.ceil(extent / bins).clamp(min=1).long()


def roi_align(features: Tensor, boxes: Tensor, output_size: Size, spatial_scale: float = 1.0,
              sampling_ratio: int = 2, aligned: bool = True, mode: str = 'bilinear',
              bound: float = 1.0) -> Tensor:
    """RoIAlign (torchvision semantics) via ``F.grid_sample``; differentiable in
    ``features``.

    Args:
        features: ``(B, C, H, W)`` maps.
        boxes: ``(K, 5)`` rows ``[batch_idx, x1, y1, x2, y2]`` in input-image coordinates.
        output_size: ``(oh, ow)`` or an int.
        spatial_scale: Map size / image size (0.25 for a stride-4 map).
        sampling_ratio: Samples per bin and axis; ``<= 0`` = adaptive,
            ``ceil(roi_size / output_size)`` per box and axis.
        aligned: Half-pixel offset (pixel-edge box coordinates).
        mode: ``'bilinear'`` or ``'nearest'`` (masks) sampling.
        bound: Samples farther than this outside the outermost pixel centres read 0
            (1.0 = torchvision; nearer ones read the clamped border value).

    Returns:
        ``(K, C, oh, ow)``.
    """
    out_size = _pair(output_size)
    if boxes.ndim != 2 or boxes.shape[1] != 5:
        raise ValueError(f'boxes must be (K, 5), got {tuple(boxes.shape)}')
    boxes = boxes.to(features.dtype)
    boxes = torch.cat([boxes[:, :1], boxes[:, 1:] * spatial_scale], dim=1)
    if len(boxes) == 0:
        return features.new_zeros((0, features.shape[1]) + out_size)
    if sampling_ratio > 0:
        return _sample_rois(features, boxes, out_size, (sampling_ratio, sampling_ratio),
                            aligned, mode, bound)
    ratios = _adaptive_ratios(boxes, out_size, aligned)
    out = features.new_empty((len(boxes), features.shape[1]) + out_size)
    groups, inverse = ratios.unique(dim=0, return_inverse=True)
    for g, (ry, rx) in enumerate(groups.tolist()):
        sel = torch.nonzero(inverse == g).squeeze(1)
        out[sel] = _sample_rois(features, boxes[sel], out_size, (ry, rx), aligned, mode,
                                bound)
    return out


def crop_resize(maps: Tensor, boxes: Tensor, output_size: Size,
                mode: str = 'bilinear') -> Tensor:
    """Crop full-resolution maps at boxes and resize the crops to ``output_size``.

    One sample per output pixel at its centre (``align_corners=False`` resizing); a box of
    exactly ``output_size`` with integer corners is a plain crop. Samples outside the map's
    pixel footprint read 0 (padding); samples inside it but beyond the outermost pixel
    centres read the border value (as ``F.interpolate`` does).

    Args:
        maps: ``(B, C, H, W)``.
        boxes: ``(K, 5)`` rows ``[batch_idx, x1, y1, x2, y2]`` in pixel-edge coordinates.
        output_size: ``(oh, ow)`` or an int.
        mode: ``'bilinear'`` (features, probabilities) or ``'nearest'`` (masks).

    Returns:
        ``(K, C, oh, ow)``.
    """
    return roi_align(maps, boxes, output_size, 1.0, 1, True, mode, bound=0.5)


def quarter_size(size: Tuple[int, int], stride: int = 4) -> Tuple[int, int]:
    """Spatial size of a stride-``stride`` map of a ``size`` ROI: ``ceil(size / stride)``
    (what ``log2(stride)`` stride-2 3x3 convs with padding 1 produce)."""
    return math.ceil(size[0] / stride), math.ceil(size[1] / stride)
