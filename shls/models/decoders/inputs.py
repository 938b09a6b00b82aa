"""Typed inputs of the refinement decoder and their extraction from full frames."""
from dataclasses import dataclass, fields
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor

from .roi_align import crop_resize, quarter_size, roi_align


def _pick(value: Optional[Tensor], index: Tensor) -> Optional[Tensor]:
    return None if value is None else value[index]


@dataclass
class FrameInputs:
    """Full-frame inputs of one frame for N objects.

    Attributes:
        l1: ``(B, C1, H, W)`` full-resolution features.
        l4: ``(B, C4, H4, W4)`` stride-4 features.
        boxes: ``(N, 4)`` int ROIs ``[x1, y1, x2, y2]`` (pixel edges) of the objects.
        att: ``(N, A, H, W)`` attention maps of the objects (previous and current frame).
        obj_map: ``(N, 1, H, W)`` object map: GT mask (first frame) or the frame's output
            for the object, e.g. its foreground probability (previous frame).
        batch_idx: ``(N,)`` index into ``B`` of each object's frame; default all 0.
    """

    l1: Tensor
    l4: Tensor
    boxes: Tensor
    att: Optional[Tensor] = None
    obj_map: Optional[Tensor] = None
    batch_idx: Optional[Tensor] = None

    def select(self, index: Tensor) -> 'FrameInputs':
        """The same frame restricted to the objects ``index``."""
        return FrameInputs(self.l1, self.l4, self.boxes[index], _pick(self.att, index),
                           _pick(self.obj_map, index), _pick(self.batch_idx, index))

    def rois(self) -> Tensor:
        """``(N, 5)`` float rows ``[batch_idx, x1, y1, x2, y2]`` for the samplers."""
        idx = self.batch_idx
        if idx is None:
            idx = torch.zeros(len(self.boxes), device=self.boxes.device)
        return torch.cat([idx[:, None].to(self.l1.dtype), self.boxes.to(self.l1.dtype)], 1)

    def object_rois(self) -> Tensor:
        """``(N, 5)`` rows whose batch index is the object's own row (per-object maps)."""
        rows = torch.arange(len(self.boxes), device=self.boxes.device, dtype=self.l1.dtype)
        return torch.cat([rows[:, None], self.boxes.to(self.l1.dtype)], dim=1)


@dataclass
class ObjectInputs:
    """ROI-cropped decoder inputs of N objects (N is the batch dimension); ``h x w`` = ROI
    size, ``h4 x w4 = ceil(h/4) x ceil(w/4)``.

    Attributes:
        first_l1: ``(N, C1, h, w)``.
        first_l4: ``(N, C4, h4, w4)``.
        first_mask: ``(N, 1, h, w)``.
        prev_out: ``(N, 1, h, w)``.
        prev_l1: ``(N, C1, h, w)``.
        prev_l4: ``(N, C4, h4, w4)``.
        prev_att: ``(N, A, h, w)``.
        cur_l1: ``(N, C1, h, w)``.
        cur_l4: ``(N, C4, h4, w4)``.
        cur_att: ``(N, A, h, w)``.
    """

    first_l1: Tensor
    first_l4: Tensor
    first_mask: Tensor
    prev_out: Tensor
    prev_l1: Tensor
    prev_l4: Tensor
    prev_att: Tensor
    cur_l1: Tensor
    cur_l4: Tensor
    cur_att: Tensor

    def to_kwargs(self) -> Dict[str, Tensor]:
        """Field name -> tensor, without copying (``dataclasses.asdict`` deep-copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _crop_frame(frame: FrameInputs, size: Tuple[int, int],
                sampling_ratio: int) -> Tuple[Tensor, Tensor]:
    """L1 crop-resized and L4 RoIAligned at the frame's boxes."""
    rois = frame.rois()
    l1 = crop_resize(frame.l1, rois, size)
    l4 = roi_align(frame.l4, rois, quarter_size(size), 0.25, sampling_ratio)
    return l1, l4


def _require(frame: FrameInputs, name: str, what: str) -> Tensor:
    value = getattr(frame, name)
    if value is None:
        raise ValueError(f'{what} frame needs `{name}`')
    return value.to(frame.l1.dtype)


def crop_object_inputs(first: FrameInputs, prev: FrameInputs, cur: FrameInputs,
                       size: Tuple[int, int], sampling_ratio: int = 0) -> ObjectInputs:
    """Cut every frame's inputs at its own boxes and bring them to the ROI size ``size``.

    Full-resolution maps are crop-resized (bilinear; nearest for the first-frame mask),
    stride-4 maps are RoIAligned (scale 1/4) to ``ceil(size / 4)``.

    Args:
        first: Frame 0 (needs ``obj_map`` = GT masks).
        prev: Previous frame (needs ``att`` and ``obj_map`` = its output).
        cur: Current frame (needs ``att``).
        size: ``(h, w)`` decoder input size (usually the current boxes' common size).
        sampling_ratio: RoIAlign sampling ratio of the L4 maps (``<= 0`` = adaptive).

    Returns:
        The :class:`ObjectInputs`.
    """
    first_l1, first_l4 = _crop_frame(first, size, sampling_ratio)
    prev_l1, prev_l4 = _crop_frame(prev, size, sampling_ratio)
    cur_l1, cur_l4 = _crop_frame(cur, size, sampling_ratio)
    first_mask = crop_resize(_require(first, 'obj_map', 'first'), first.object_rois(), size,
                             mode='nearest')
    prev_out = crop_resize(_require(prev, 'obj_map', 'previous'), prev.object_rois(), size)
    prev_att = crop_resize(_require(prev, 'att', 'previous'), prev.object_rois(), size)
    cur_att = crop_resize(_require(cur, 'att', 'current'), cur.object_rois(), size)
    return ObjectInputs(first_l1, first_l4, first_mask, prev_out, prev_l1, prev_l4, prev_att,
                        cur_l1, cur_l4, cur_att)
