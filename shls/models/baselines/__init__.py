"""Training-free baselines run by the same test loop as the learned model."""
from .base import TrainingFreeModel
from .dis_flow import DISFlowPropagation, DISFlowPropagator, warp_labels
from .first_mask_copy import CopyPropagator, FirstMaskCopy
from .propagator import MaskPropagator

__all__ = ['CopyPropagator', 'DISFlowPropagation', 'DISFlowPropagator', 'FirstMaskCopy',
           'MaskPropagator', 'TrainingFreeModel', 'warp_labels']
