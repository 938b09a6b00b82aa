from .refine_loss import clip_refine_loss
from .refiner import (FeatureMaps, FrameState, RefinedFrame, Refiner, object_masks,
                      paint_attention)
from .shls import DEFAULT_TRAIN_CFG, SHLS

__all__ = [
    'DEFAULT_TRAIN_CFG', 'FeatureMaps', 'FrameState', 'RefinedFrame', 'Refiner', 'SHLS',
    'clip_refine_loss', 'object_masks', 'paint_attention'
]
