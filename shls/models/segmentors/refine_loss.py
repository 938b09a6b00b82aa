"""Stage-2 training signal: the refinement module's cross-entropy over one clip
(method.md §6 "Training"), computed by running the one-shot core as at test time."""
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from shls.structures.ids import NUM_LABEL_BINS, VOID_ID
from ..decoders import jitter_boxes
from .false_blobs import plant_false_blobs
from .frame_context import FrameContext, Segmentation
from .one_shot import OneShotCore
from .refiner import FeatureMaps

IGNORE_INDEX = VOID_ID


def _row_targets(gt_mask: Tensor, object_ids: Tensor, ignore_index: int) -> Tensor:
    """Mask ids -> rows of the Eq.-5 logits (0 = background, ``i`` = ``object_ids[i-1]``);
    void and objects unknown to the memory -> ``ignore_index``."""
    lut = torch.full((NUM_LABEL_BINS, ), ignore_index, dtype=torch.long, device=gt_mask.device)
    lut[0] = 0
    lut[object_ids.to(gt_mask.device)] = torch.arange(1, len(object_ids) + 1,
                                                      device=gt_mask.device)
    return lut[gt_mask.long().clamp(0, NUM_LABEL_BINS - 1)]


def frame_loss(seg: Segmentation, gt_mask: Tensor,
               ignore_index: int = IGNORE_INDEX) -> Optional[Tensor]:
    """Pixel-wise cross-entropy of a refined frame's Eq.-5 logits against its ground
    truth; ``None`` when no pixel is labelled."""
    refined = seg.refined
    target = _row_targets(gt_mask, refined.object_ids, ignore_index)
    if not bool((target != ignore_index).any()):
        return None
    return F.cross_entropy(refined.logits[None], target[None], ignore_index=ignore_index)


def clip_refine_loss(core: OneShotCore, maps: FeatureMaps, superpixels: Tensor,
                     labels: Tensor, gt_masks: Tensor, rgb: Optional[np.ndarray] = None,
                     update_memory: bool = True, ignore_index: int = IGNORE_INDEX,
                     roi_from_prediction: bool = False, roi_jitter: float = 0.0,
                     false_blob_prob: float = 0.0) -> Optional[Tensor]:
    """Pixel-wise cross-entropy of the Eq.-5 output on frames ``1..T-1`` of one clip.

    The core is reset and each frame enters it from the precomputed maps
    (:meth:`FrameEncoder.from_maps`). The memory is fitted on frame 0's (detached)
    superfeatures with their (mask-cut) superpixel labels; each later frame is queried,
    pre-segmented, refined with ROIs from its ground-truth masks (with
    ``roi_from_prediction`` from its pre-segmentation, as at test time), scored against
    the ground truth, and — as at test time — its confident superfeatures join the pools
    of their pre-segmentation classes, judged on the refined (detached) probabilities.

    Args:
        core: A :class:`OneShotCore` with a refiner using the training ROI rule.
        maps: The clip's :class:`FeatureMaps` (``T`` frames).
        superpixels: ``(T, H, W)`` int64 per-frame ids.
        labels: ``(N,)`` int64 superpixel labels (mask mode; ``ignore_index`` = void).
        gt_masks: ``(T, H, W)`` object ids (0 = background, ``ignore_index`` = void).
        rgb: ``(T, H, W, 3)`` uint8 frames (needed by a hand-crafted descriptor block).
        update_memory: Add confident superfeatures after each frame.
        ignore_index: Void id of masks and labels.
        roi_from_prediction: ROIs from the frame's pre-segmentation instead of its
            ground truth (the decoder then trains on the ROIs, distractors included, it
            gets at test time).
        roi_jitter: Random shift / rescaling of every ROI (:func:`jitter_boxes`), so the
            decoder cannot rely on the object filling its ROI as the ground-truth box does.
        false_blob_prob: Probability, per frame, of planting a false-positive blob in its
            read-out (:func:`~shls.models.segmentors.false_blobs.plant_false_blobs`).

    Returns:
        The mean over frames of the per-frame cross-entropy, or ``None`` when frame 0 has
        no object or no later frame has a labelled pixel.
    """
    core.reset()
    counts = maps.counts.tolist()
    feats, frame_labels = maps.features.split(counts), labels.split(counts)

    def frame(t: int) -> FrameContext:
        return core.encoder.from_maps(superpixels[t], feats[t], maps.l1[t:t + 1],
                                      maps.l4[t:t + 1], None if rgb is None else rgb[t], t)

    first = frame(0)
    known = frame_labels[0] != ignore_index
    core.write_annotation(first.features[known], frame_labels[0][known])
    if not core.objects:
        return None
    core.start_refiner(first, gt_masks[0].long())
    losses = []
    for t in range(1, len(feats)):
        ctx = frame(t)
        core.query(ctx)
        if false_blob_prob > 0 and float(torch.rand(())) < false_blob_prob:
            ctx.readout = plant_false_blobs(ctx.readout, ctx.superpixels, frame_labels[t])
        pre = core.presegment(ctx)
        roi_source = pre.mask if roi_from_prediction else gt_masks[t].long()
        boxes = jitter_boxes(core.rois(roi_source), tuple(gt_masks.shape[-2:]), roi_jitter)
        seg = core.refine(ctx, pre, boxes)
        loss = frame_loss(seg, gt_masks[t], ignore_index)
        if loss is not None:
            losses.append(loss)
        if update_memory and t < len(feats) - 1:
            core.memorise(ctx, seg)
    core.reset()
    return torch.stack(losses).mean() if losses else None
