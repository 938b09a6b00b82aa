"""First-mask copy: every frame gets the first frame's mask (a lower bound)."""
import numpy as np

from shls.registry import MODELS
from .base import TrainingFreeModel
from .propagator import MaskPropagator


class CopyPropagator(MaskPropagator):
    """Repeat the previous label map, i.e. the latest annotation, for every frame."""

    def propagate(self, rgb: np.ndarray) -> np.ndarray:
        return self.prev_labels.copy()


@MODELS.register_module()
class FirstMaskCopy(TrainingFreeModel):
    """Training-free baseline: the first mask copied to every frame (no options)."""

    segmenter_class = CopyPropagator
