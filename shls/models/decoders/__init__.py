"""Segmentation refinement module of SHLS (method.md §6): ROI selection, RoIAlign, feature
modulator, refinement decoder, paste-back and soft aggregation."""
from .aggregation import (BACKGROUND_FILL, aggregate_mask, foreground_probs, paste_logits,
                          soft_aggregation, soft_aggregation_logits)
from .blocks import RefineBlock, ResBlock
from .inputs import FrameInputs, ObjectInputs, crop_object_inputs
from .modulator import FeatureModulator
from .refine_decoder import RefineDecoder
from .roi import (box_sizes, jitter_boxes, masks_to_boxes, pad_boxes, select_inference_rois,
                  select_rois, select_training_rois)
from .roi_align import crop_resize, quarter_size, roi_align

__all__ = [
    'BACKGROUND_FILL', 'aggregate_mask', 'foreground_probs', 'paste_logits',
    'soft_aggregation', 'soft_aggregation_logits', 'RefineBlock', 'ResBlock', 'FrameInputs',
    'ObjectInputs', 'crop_object_inputs', 'FeatureModulator', 'RefineDecoder', 'box_sizes',
    'jitter_boxes', 'masks_to_boxes', 'pad_boxes', 'select_inference_rois', 'select_rois',
    'select_training_rois', 'crop_resize', 'quarter_size', 'roi_align'
]
