from .descriptors import SuperfeatureDescriber
from .distilled import DistilledSHLS
from .edge_aware import GuidedFilterMask, build_edge_aware
from .frame_context import FrameContext, Segmentation
from .frame_encoder import FrameEncoder
from .one_shot import PRESEGMENTATIONS, OneShotCore
from .pixel_classifier import PixelMaps, PixelVote, RidgePixelClassifier
from .refine_loss import clip_refine_loss
from .refiner import (FeatureMaps, FrameState, RefinedFrame, Refiner, object_masks,
                      paint_attention)
from .shls import DEFAULT_TRAIN_CFG, SHLS

__all__ = [
    'DEFAULT_TRAIN_CFG', 'DistilledSHLS', 'FeatureMaps', 'FrameContext', 'FrameEncoder', 'FrameState',
    'GuidedFilterMask', 'build_edge_aware',
    'OneShotCore', 'PRESEGMENTATIONS', 'PixelMaps', 'PixelVote', 'RefinedFrame', 'Refiner',
    'RidgePixelClassifier', 'SHLS', 'Segmentation',
    'SuperfeatureDescriber', 'clip_refine_loss', 'object_masks', 'paint_attention'
]
