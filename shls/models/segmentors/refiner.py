"""Per-frame segmentation refinement with its streaming state (method.md §6).

One :class:`Refiner` follows one video (at test time) or one clip (stage-2 training):
:meth:`Refiner.start` stores the reference frame, :meth:`Refiner.step` refines a frame
from its memory read-out and object ROIs and keeps, of that frame, only what the next
frame needs. It is the refinement step of the one-shot core
(:class:`~shls.models.segmentors.one_shot.OneShotCore`), which the streaming API
(:class:`shls.apis.VideoSegmenter`) and the stage-2 loss
(:func:`~shls.models.segmentors.refine_loss.clip_refine_loss`) both run.
"""
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple

import torch
from torch import Tensor, nn

from ..decoders import (FrameInputs, foreground_probs, pad_boxes, select_rois,
                        soft_aggregation_logits)
from ..memory import MemoryReadout, attention_maps
from ..utils import paint, segment_mean


class FeatureMaps(NamedTuple):
    """Superfeatures and the decoder's feature maps of a batch of frames.

    Attributes:
        features: ``(N, S)`` superfeatures, frame by frame.
        counts: ``(B,)`` superpixels per frame.
        l1: ``(B, C1 + 3, H, W)`` full-resolution features + painted meta channels.
        l4: ``(B, C4 + 3, h, w)`` stride-4 features + painted meta channels.
        extra: ``(N_i, S)`` superfeatures of each extra partition asked for (from the
            same maps).
    """

    features: Tensor
    counts: Tensor
    l1: Tensor
    l4: Tensor
    extra: Tuple[Tensor, ...] = ()


@dataclass
class FrameState:
    """What later frames need of an earlier frame (full-frame decoder inputs).

    Attributes:
        l1: ``(1, C1, H, W)``.
        l4: ``(1, C4, h, w)``.
        boxes: ``(K, 4)`` ROIs of the objects on that frame.
        obj_map: ``(K, 1, H, W)`` object maps: GT masks (first frame) or the frame's
            Eq.-5 probability of each object (previous frame).
        att: ``(K, 4, H, W)`` attention maps (previous frame only).
    """

    l1: Tensor
    l4: Tensor
    boxes: Tensor
    obj_map: Tensor
    att: Optional[Tensor] = None

    def inputs(self) -> FrameInputs:
        """As decoder :class:`~shls.models.decoders.FrameInputs`."""
        return FrameInputs(self.l1, self.l4, self.boxes, self.att, self.obj_map)


class RefinedFrame(NamedTuple):
    """The refined decision on one frame.

    Attributes:
        logits: ``(K + 1, H, W)`` Eq.-5 logits; row 0 = background, row ``i`` = object
            ``object_ids[i - 1]``.
        object_ids: ``(K,)`` int64 object ids (ascending).
        boxes: ``(K, 4)`` ROIs the decoder saw.
    """

    logits: Tensor
    object_ids: Tensor
    boxes: Tensor

    @property
    def row_ids(self) -> Tensor:
        """``(K + 1,)`` class id of each row of :attr:`logits` (0 first)."""
        return torch.cat([self.object_ids.new_zeros(1), self.object_ids])

    @property
    def probs(self) -> Tensor:
        """``(K + 1, H, W)`` Eq.-5 probabilities (sum to 1 over rows)."""
        return self.logits.softmax(dim=0)

    def mask(self) -> Tensor:
        """``(H, W)`` int64 label map: the argmax of Eq. 5 as object ids."""
        return self.row_ids[self.logits.argmax(dim=0)]

    def superpixel_probs(self, superpixels: Tensor, num_superpixels: int,
                         classes: Tensor) -> Tensor:
        """Mean refined class probabilities over each superpixel.

        Args:
            superpixels: ``(H, W)`` int64 ids ``0..M-1``.
            num_superpixels: ``M``.
            classes: ``(C,)`` class ids wanted as columns (e.g. ``memory.classes``), all
                among :attr:`row_ids`.

        Returns:
            ``(M, C)``.
        """
        rows = self.row_ids.to(classes.device)
        cols = torch.searchsorted(rows, classes).clamp_max(len(rows) - 1)
        if not bool((rows[cols] == classes).all()):
            raise ValueError(f'classes {classes.tolist()} are not all among the refined '
                             f'ids {rows.tolist()}')
        means = segment_mean(self.probs[None], superpixels[None], num_superpixels)
        return means[:, cols.to(means.device)]


def object_masks(label_map: Tensor, object_ids: Tensor) -> Tensor:
    """``(K, H, W)`` bool masks of ``object_ids`` in an ``(H, W)`` label map."""
    return label_map[None] == object_ids.to(label_map.device)[:, None, None]


def paint_attention(readout: MemoryReadout, superpixels: Tensor, object_ids: Tensor) -> Tensor:
    """The four attention maps of every object painted to pixels.

    Args:
        readout: Memory scores of the frame's superpixels.
        superpixels: ``(H, W)`` int64 ids.
        object_ids: ``(K,)`` object ids (all in ``readout.classes``).

    Returns:
        ``(K, 4, H, W)``.
    """
    per_spx = attention_maps(readout.short, readout.long, readout.classes, object_ids)
    return paint(per_spx, superpixels).permute(2, 3, 0, 1)


class Refiner:
    """Runs a :class:`~shls.models.decoders.RefineDecoder` frame after frame.

    State (bounded, whatever the video length): the first frame's L1/L4, object masks and
    ROIs, and the previous frame's L1/L4, attention maps, Eq.-5 object probabilities and
    ROIs. The previous output is stored detached (no back-propagation through time).

    ROI rule (:meth:`rois`): the box of each object's mask enlarged by ``margin``, at least
    as large as its first-frame ROI when ``min_first_box``, sides below ``min_side`` of
    the frame widened to the full extent, empty masks -> whole frame; ``use_roi=False``
    gives every object the whole frame ("refinement without ROI").

    Args:
        decoder: The refinement decoder.
        use_roi: Crop ROIs (else whole-frame boxes).
        margin: Relative box enlargement (test 0.3, training 0.5).
        min_side: Relative side below which the full extent is used (test 0.05).
        min_first_box: ROIs never smaller than the object's first-frame ROI (test).
        max_side: Decode ROIs whose longer side exceeds this shrunk to it (``None``: at
            their size, as the paper).
    """

    def __init__(self, decoder: nn.Module, use_roi: bool = True, margin: float = 0.3,
                 min_side: float = 0.05, min_first_box: bool = True,
                 max_side: Optional[int] = None) -> None:
        self.decoder = decoder
        self.use_roi = bool(use_roi)
        self.margin = float(margin)
        self.min_side = float(min_side)
        self.min_first_box = bool(min_first_box)
        self.max_side = None if max_side is None else int(max_side)
        self.reset()

    def reset(self) -> None:
        """Forget the video."""
        self.first: Optional[FrameState] = None
        self.prev: Optional[FrameState] = None
        self.object_ids: Optional[Tensor] = None

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has been called since the last :meth:`reset`."""
        return self.first is not None

    def rois(self, masks: Tensor) -> Tensor:
        """``(K, 4)`` ROIs of the objects from ``(K, H, W)`` masks (see the class doc)."""
        k, h, w = masks.shape
        if not self.use_roi:
            whole = torch.tensor([0, 0, w, h], dtype=torch.long, device=masks.device)
            return pad_boxes(whole.expand(k, 4), (h, w))
        min_boxes = None
        if self.min_first_box and self.first is not None:
            min_boxes = self.first.boxes
        return select_rois(masks, self.margin, min_boxes, self.min_side)

    def start(self, l1: Tensor, l4: Tensor, superpixels: Tensor, readout: MemoryReadout,
              label_map: Tensor, object_ids: Tensor) -> None:
        """Take a frame with a known mask as the reference (first) frame.

        Args:
            l1: ``(1, C1, H, W)`` maps of the frame (with meta channels).
            l4: ``(1, C4, h, w)``.
            superpixels: ``(H, W)`` int64 ids.
            readout: The memory's scores of the frame's superfeatures (its attention maps
                are the previous-frame input of the next frame).
            label_map: ``(H, W)`` int64 object ids of the frame.
            object_ids: ``(K,)`` ascending ids of the objects to follow.
        """
        self.reset()
        self.object_ids = object_ids.to(l1.device)
        masks = object_masks(label_map, self.object_ids).to(l1.dtype)
        boxes = self.rois(masks)
        att = paint_attention(readout, superpixels, self.object_ids).to(l1.dtype)
        self.first = FrameState(l1, l4, boxes, masks[:, None])
        self.prev = FrameState(l1, l4, boxes, masks[:, None], att)

    def step(self, l1: Tensor, l4: Tensor, superpixels: Tensor, readout: MemoryReadout,
             boxes: Tensor) -> RefinedFrame:
        """Refine one frame and make it the previous frame.

        Args:
            l1: ``(1, C1, H, W)`` maps of the frame.
            l4: ``(1, C4, h, w)``.
            superpixels: ``(H, W)`` int64 ids.
            readout: Memory scores of the frame's superfeatures.
            boxes: ``(K, 4)`` ROIs, e.g. from :meth:`rois`.

        Returns:
            :class:`RefinedFrame`.
        """
        if not self.started:
            raise RuntimeError('Refiner.step before start(): give the first frame first')
        ids = self.object_ids
        att = paint_attention(readout, superpixels, ids).to(l1.dtype)
        if len(ids):
            cur = FrameInputs(l1, l4, boxes, att)
            logits = self.decoder.forward_frames(self.first.inputs(), self.prev.inputs(), cur,
                                                 max_side=self.max_side)
            fg = foreground_probs(logits.float())  # float32 even under autocast
        else:
            fg = l1.new_zeros((0, ) + tuple(l1.shape[-2:]))
        logits = soft_aggregation_logits(fg, dim=0)
        out_map = logits.detach().softmax(dim=0)[1:, None]
        self.prev = FrameState(l1, l4, boxes, out_map, att)
        return RefinedFrame(logits, ids, boxes)
