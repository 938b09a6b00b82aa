"""Optical-flow propagation: the previous label map warped by OpenCV's DIS flow."""
from typing import Optional

import cv2
import numpy as np

from shls.registry import MODELS
from shls.structures.ids import BACKGROUND
from shls.utils.errors import ConfigError
from .base import TrainingFreeModel
from .propagator import MaskPropagator

DIS_PRESETS = {
    'ultrafast': cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    'fast': cv2.DISOPTICAL_FLOW_PRESET_FAST,
    'medium': cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


def warp_labels(labels: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward-warp a label map: ``out[y, x] = labels[y + v, x + u]`` (nearest).

    Args:
        labels: ``(H, W)`` uint8 ids of the previous frame.
        flow: ``(H, W, 2)`` float32 flow ``(u, v)`` from the current frame to the
            previous one.

    Returns:
        ``(H, W)`` uint8 ids; pixels that come from outside the frame are background.
    """
    height, width = labels.shape
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32),
                                 np.arange(height, dtype=np.float32))
    return cv2.remap(labels, grid_x + flow[..., 0], grid_y + flow[..., 1],
                     interpolation=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=BACKGROUND)


class DISFlowPropagator(MaskPropagator):
    """Warp the previous label map along the DIS flow from each frame to the previous one.

    Args:
        preset: DIS preset, ``'ultrafast'``, ``'fast'`` or ``'medium'``.
    """

    def __init__(self, preset: str = 'medium') -> None:
        if preset not in DIS_PRESETS:
            raise ConfigError(f'DIS preset must be one of {sorted(DIS_PRESETS)}, got {preset!r}')
        self.dis = cv2.DISOpticalFlow_create(DIS_PRESETS[preset])
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.prev_gray: Optional[np.ndarray] = None

    def observe(self, rgb: np.ndarray, labels: np.ndarray) -> None:
        super().observe(rgb, labels)
        self.prev_gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)

    def propagate(self, rgb: np.ndarray) -> np.ndarray:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        flow = self.dis.calc(gray, self.prev_gray, None)
        return warp_labels(self.prev_labels, flow)


@MODELS.register_module()
class DISFlowPropagation(TrainingFreeModel):
    """Training-free baseline: previous mask warped by DIS optical flow.

    ``test_cfg=dict(preset='medium')`` selects the DIS preset.
    """

    segmenter_class = DISFlowPropagator
