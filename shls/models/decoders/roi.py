"""Per-object regions of interest for the refinement module (method.md §6).

Boxes are ``(K, 4)`` int64 tensors ``[x1, y1, x2, y2]`` in pixel-edge coordinates: the box
covers pixel columns ``x1 .. x2 - 1`` and rows ``y1 .. y2 - 1``, so its size is
``(y2 - y1, x2 - x1)``. After padding to a multiple of 4 a box may overhang the right or
bottom edge of the frame by up to 3 pixels when the frame itself is not a multiple of 4;
the overhang is read as zeros by the samplers and dropped when pasting back.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor


def masks_to_boxes(masks: Tensor) -> Tuple[Tensor, Tensor]:
    """Tight boxes of binary masks.

    Args:
        masks: ``(K, H, W)`` masks (any dtype; non-zero = inside).

    Returns:
        ``(boxes, nonempty)``: ``(K, 4)`` int64 boxes (an empty mask gets the whole frame)
        and ``(K,)`` bool.
    """
    k, h, w = masks.shape
    masks = masks != 0
    rows, cols = masks.any(dim=2), masks.any(dim=1)
    nonempty = rows.any(dim=1)
    y1 = rows.int().argmax(dim=1)
    y2 = h - rows.flip(1).int().argmax(dim=1)
    x1 = cols.int().argmax(dim=1)
    x2 = w - cols.flip(1).int().argmax(dim=1)
    boxes = torch.stack([x1, y1, x2, y2], dim=1).long()
    whole = torch.tensor([0, 0, w, h], dtype=torch.long, device=masks.device)
    return torch.where(nonempty[:, None], boxes, whole.expand(k, 4)), nonempty


def box_sizes(boxes: Tensor) -> Tensor:
    """``(K, 2)`` sizes ``(height, width)`` of ``(K, 4)`` boxes."""
    return torch.stack([boxes[:, 3] - boxes[:, 1], boxes[:, 2] - boxes[:, 0]], dim=1)


def _pad_axis(lo: Tensor, hi: Tensor, extent: int, multiple: int) -> Tuple[Tensor, Tensor]:
    """Grow ``[lo, hi)`` symmetrically to a multiple of ``multiple``, inside ``[0, extent)``
    when it fits, else anchored at 0 and overhanging the far edge."""
    size = hi - lo
    target = (size + multiple - 1) // multiple * multiple
    lo = lo - (target - size) // 2
    fits = target <= extent
    lo = torch.where(fits, lo.clamp(min=0), torch.zeros_like(lo))
    lo = torch.where(fits, torch.minimum(lo, extent - target), lo)
    return lo, lo + target


def pad_boxes(boxes: Tensor, frame_size: Tuple[int, int], multiple: int = 4) -> Tensor:
    """Grow integer boxes so that both sizes are multiples of ``multiple``.

    Args:
        boxes: ``(K, 4)`` int64 boxes inside the frame.
        frame_size: ``(H, W)``.
        multiple: Size granularity (4 = the L4 stride).

    Returns:
        ``(K, 4)`` int64 boxes (see the module docstring about overhang).
    """
    h, w = frame_size
    x1, x2 = _pad_axis(boxes[:, 0], boxes[:, 2], w, multiple)
    y1, y2 = _pad_axis(boxes[:, 1], boxes[:, 3], h, multiple)
    return torch.stack([x1, y1, x2, y2], dim=1)


def _grow_axis(lo: Tensor, hi: Tensor, margin: float,
               min_size: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
    """Enlarge ``[lo, hi)`` by ``margin`` of its size (half per side), then symmetrically
    to at least ``min_size``; float in, float out."""
    centre, size = (lo + hi) / 2, (hi - lo) * (1.0 + margin)
    if min_size is not None:
        size = torch.maximum(size, min_size)
    return centre - size / 2, centre + size / 2


def _finish_axis(lo: Tensor, hi: Tensor, extent: int,
                 min_side: float) -> Tuple[Tensor, Tensor]:
    """Round outwards, clip to ``[0, extent]``; a side below ``min_side * extent`` becomes
    the full extent."""
    lo = lo.floor().long().clamp(0, extent)
    hi = hi.ceil().long().clamp(0, extent)
    small = (hi - lo) < min_side * extent
    return torch.where(small, 0, lo), torch.where(small, extent, hi)


def select_rois(masks: Tensor, margin: float, min_boxes: Optional[Tensor] = None,
                min_side: float = 0.0, multiple: int = 4) -> Tensor:
    """ROI of every object from its (pre-)segmentation.

    Steps: tight box of the mask; enlarged by ``margin`` x its height and width (half on
    each side); grown symmetrically to at least the size of ``min_boxes``; rounded
    outwards and clipped to the frame; a side smaller than ``min_side`` x the frame's side
    becomes the full extent (checked after clipping, so a clipped sliver also qualifies);
    an empty mask gives the whole frame; sizes padded to a multiple of ``multiple``.

    Args:
        masks: ``(K, H, W)`` per-object masks.
        margin: Total relative enlargement (0.3 = 15 % per side).
        min_boxes: ``(K, 4)`` boxes whose sizes are lower bounds (e.g. frame-0 boxes).
        min_side: Relative side below which the full extent is used.
        multiple: Size granularity.

    Returns:
        ``(K, 4)`` int64 boxes.
    """
    _, h, w = masks.shape
    boxes, nonempty = masks_to_boxes(masks)
    boxes = boxes.double()
    min_h = min_w = None
    if min_boxes is not None:
        min_h, min_w = box_sizes(min_boxes.to(boxes)).unbind(1)
    x1, x2 = _grow_axis(boxes[:, 0], boxes[:, 2], margin, min_w)
    y1, y2 = _grow_axis(boxes[:, 1], boxes[:, 3], margin, min_h)
    x1, x2 = _finish_axis(x1, x2, w, min_side)
    y1, y2 = _finish_axis(y1, y2, h, min_side)
    out = torch.stack([x1, y1, x2, y2], dim=1)
    whole = torch.tensor([0, 0, w, h], dtype=torch.long, device=masks.device)
    out = torch.where(nonempty[:, None], out, whole)
    return pad_boxes(out, (h, w), multiple)


def select_inference_rois(presegs: Tensor, first_boxes: Optional[Tensor] = None,
                          margin: float = 0.3, min_side: float = 0.05,
                          multiple: int = 4) -> Tensor:
    """Test-time ROIs (SHLS defaults): pre-segmentation box + 30 %, at least the frame-0
    box, full extent for sides below 5 % of the frame. See :func:`select_rois`."""
    return select_rois(presegs, margin, first_boxes, min_side, multiple)


def select_training_rois(gt_masks: Tensor, margin: float = 0.5, min_side: float = 0.0,
                         multiple: int = 4) -> Tensor:
    """Training ROIs: ground-truth box + 50 %. See :func:`select_rois`."""
    return select_rois(gt_masks, margin, None, min_side, multiple)


def jitter_boxes(boxes: Tensor, frame_size: Tuple[int, int], amount: float,
                 multiple: int = 4) -> Tensor:
    """Randomly move and resize boxes (a training augmentation of the ROIs).

    Each box's centre moves by up to ``amount / 2`` of its width / height and each side
    length is multiplied by ``exp(u)``, ``u ~ U(-amount, amount)``; the result is clipped
    to the frame, at least ``multiple`` pixels wide and high, and padded to a multiple of
    ``multiple``. Randomness comes from torch's global generator.

    Args:
        boxes: ``(K, 4)`` int64 boxes.
        frame_size: ``(H, W)``.
        amount: Jitter strength (0 returns the boxes unchanged).
        multiple: Size granularity.

    Returns:
        ``(K, 4)`` int64 boxes.
    """
    if amount <= 0 or len(boxes) == 0:
        return boxes
    h, w = frame_size
    sizes = box_sizes(boxes).flip(1).double()          # (width, height)
    centres = (boxes[:, :2] + boxes[:, 2:]).double() / 2
    noise = torch.rand(len(boxes), 4, dtype=torch.float64, device=boxes.device) * 2 - 1
    centres = centres + noise[:, :2] * amount / 2 * sizes
    sizes = sizes * torch.exp(noise[:, 2:] * amount)
    limit = torch.tensor([w, h], dtype=torch.float64, device=boxes.device)
    lo = (centres - sizes / 2).floor().clamp(min=0)
    lo = torch.minimum(lo, limit - multiple)
    hi = torch.maximum((centres + sizes / 2).ceil(), lo + multiple)
    hi = torch.minimum(hi, limit)
    out = torch.cat([lo, hi], dim=1).long()
    return pad_boxes(out, frame_size, multiple)
