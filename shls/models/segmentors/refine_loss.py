"""Stage-2 training signal: the refinement module's cross-entropy over one clip
(method.md §6 "Training")."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from ..decoders import jitter_boxes
from ..memory import memorise_confident, presegment_eq4
from ..utils import paint
from .false_blobs import plant_false_blobs
from .refiner import FeatureMaps, Refiner, object_masks

IGNORE_INDEX = 255
NUM_IDS = 256  # mask ids are uint8


def _row_targets(gt_mask: Tensor, object_ids: Tensor, ignore_index: int) -> Tensor:
    """Mask ids -> rows of the Eq.-5 logits (0 = background, ``i`` = ``object_ids[i-1]``);
    void and objects unknown to the memory -> ``ignore_index``."""
    lut = torch.full((NUM_IDS, ), ignore_index, dtype=torch.long, device=gt_mask.device)
    lut[0] = 0
    lut[object_ids.to(gt_mask.device)] = torch.arange(1, len(object_ids) + 1,
                                                      device=gt_mask.device)
    return lut[gt_mask.long().clamp(0, NUM_IDS - 1)]


def clip_refine_loss(refiner: Refiner, memory, maps: FeatureMaps, superpixels: Tensor,
                     labels: Tensor, gt_masks: Tensor, update_memory: bool = True,
                     ignore_index: int = IGNORE_INDEX,
                     roi_from_prediction: bool = False,
                     roi_jitter: float = 0.0,
                     false_blob_prob: float = 0.0) -> Optional[Tensor]:
    """Pixel-wise cross-entropy of the Eq.-5 output on frames ``1..T-1`` of one clip.

    The memory is fitted on frame 0's detached superfeatures with their (mask-cut)
    superpixel labels; each later frame is queried, refined by ``refiner`` with ROIs from
    its ground-truth masks (``refiner.rois``; with ``roi_from_prediction`` from its Eq.-4
    pre-segmentation, as at test time), scored against the ground truth, and — as
    at test time — its confident superfeatures join the pools of their Eq.-4
    pre-segmentation classes, judged on the refined (detached) probabilities.

    Args:
        refiner: A :class:`Refiner` with the training ROI rule (margin 0.5).
        memory: A memory (``fit``/``query``/``update``/``select_confident``), reset here.
        maps: The clip's :class:`FeatureMaps` (``T`` frames).
        superpixels: ``(T, H, W)`` int64 per-frame ids.
        labels: ``(N,)`` int64 superpixel labels (mask mode; ``ignore_index`` = void).
        gt_masks: ``(T, H, W)`` object ids (0 = background, ``ignore_index`` = void).
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
    feats = maps.features.split(maps.counts.tolist())
    frame_labels = labels.split(maps.counts.tolist())
    known = frame_labels[0] != ignore_index
    memory.fit(feats[0][known].detach(), frame_labels[0][known])
    object_ids = memory.classes[memory.classes != 0]
    if len(object_ids) == 0:
        return None
    refiner.start(maps.l1[:1], maps.l4[:1], superpixels[0], memory.query(feats[0]),
                  gt_masks[0].long(), object_ids)
    losses = []
    for t in range(1, len(feats)):
        readout = memory.query(feats[t])
        if false_blob_prob > 0 and float(torch.rand(())) < false_blob_prob:
            readout = plant_false_blobs(readout, superpixels[t], frame_labels[t])
        presegmentation = presegment_eq4(readout.short, readout.long, readout.classes)
        roi_source = paint(presegmentation, superpixels[t]) if roi_from_prediction \
            else gt_masks[t].long()
        boxes = refiner.rois(object_masks(roi_source, refiner.object_ids))
        boxes = jitter_boxes(boxes, tuple(gt_masks.shape[-2:]), roi_jitter)
        out = refiner.step(maps.l1[t:t + 1], maps.l4[t:t + 1], superpixels[t], readout, boxes)
        target = _row_targets(gt_masks[t], refiner.object_ids, ignore_index)
        if bool((target != ignore_index).any()):
            losses.append(F.cross_entropy(out.logits[None], target[None],
                                          ignore_index=ignore_index))
        if update_memory and t < len(feats) - 1:
            probs = out.superpixel_probs(superpixels[t], len(feats[t]), readout.classes)
            memorise_confident(memory, feats[t].detach(), presegmentation, probs.detach())
    refiner.reset()
    return torch.stack(losses).mean() if losses else None
