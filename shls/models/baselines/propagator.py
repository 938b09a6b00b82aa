"""The streaming interface of the training-free baselines (``reset`` / ``step``)."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from shls.models.superpixels import to_rgb_uint8
from shls.models.utils import check_id_mask
from shls.structures.ids import BACKGROUND, VOID_ID
from shls.utils.errors import InputError


class MaskPropagator(metaclass=ABCMeta):
    """Base of a streaming segmenter that carries the previous label map forward.

    It satisfies :class:`~shls.structures.segmenter.StreamingSegmenter`, the interface
    of :class:`~shls.apis.VideoSegmenter` that :func:`~shls.apis.segment_video` and
    :class:`~shls.engine.VOSTestLoop` use: the
    first frame comes with a mask (0 = background, 255 = void), every later
    :meth:`step` returns :meth:`propagate`'s label map. A mask on a later frame annotates
    it: with ``objects=None`` it replaces the prediction wherever it is not void; with
    ``objects`` only those ids are taken (and removed elsewhere), the rest of the frame
    keeps the prediction (on the first frame: background). Void pixels of the first mask
    become background, so a label map never holds void.

    Subclasses implement :meth:`propagate` and may extend :meth:`observe` and
    :meth:`reset`.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the video."""
        self.frame_index = 0
        self.prev_labels: Optional[np.ndarray] = None
        self._shape: Optional[Tuple[int, int]] = None

    @property
    def objects(self) -> list:
        """Object ids of the previous label map (background excluded)."""
        if self.prev_labels is None:
            return []
        return [int(i) for i in np.unique(self.prev_labels) if i != BACKGROUND]

    @property
    def device(self) -> torch.device:
        """The CPU: label maps are propagated with NumPy / OpenCV."""
        return torch.device('cpu')

    @abstractmethod
    def propagate(self, rgb: np.ndarray) -> np.ndarray:
        """Label map of frame ``rgb`` from the state of the previous frames.

        Args:
            rgb: ``(H, W, 3)`` uint8 RGB frame.

        Returns:
            ``(H, W)`` uint8 object ids.
        """

    def observe(self, rgb: np.ndarray, labels: np.ndarray) -> None:
        """Remember a segmented frame (default: its label map only)."""
        self.prev_labels = labels

    def step(self, frame: np.ndarray, mask: Optional[np.ndarray] = None,
             objects: Optional[Sequence[int]] = None) -> np.ndarray:
        """Segment the next frame of the video.

        Args:
            frame: ``(H, W, 3)`` RGB image (uint8, or float in [0, 1]).
            mask: Optional ``(H, W)`` object ids annotating this frame; required on the
                first frame.
            objects: Ids of ``mask`` to take; default: all (a complete annotation).

        Returns:
            ``(H, W)`` uint8 object ids.

        Raises:
            ValueError: Frame or mask of the wrong shape or values.
            RuntimeError: No mask on the first frame.
        """
        rgb = to_rgb_uint8(frame)
        if self._shape is not None and rgb.shape[:2] != self._shape:
            raise InputError(f'frame {self.frame_index} is {rgb.shape[1]}x{rgb.shape[0]} but '
                             f'the video started at {self._shape[1]}x{self._shape[0]}')
        if mask is None and self.prev_labels is None:
            raise RuntimeError('the first frame needs a mask (call reset() for a new video)')
        if self.prev_labels is None:
            labels = np.zeros(rgb.shape[:2], np.uint8)
        else:
            labels = self.propagate(rgb)
        if mask is not None:
            labels = self._annotate(labels, check_id_mask(mask, rgb.shape[:2]), objects)
        self.observe(rgb, labels)
        self._shape = rgb.shape[:2]
        self.frame_index += 1
        return labels

    def _annotate(self, labels: np.ndarray, target: np.ndarray,
                  objects: Optional[Sequence[int]]) -> np.ndarray:
        """The prediction overwritten by the annotation (see the class docstring)."""
        if objects is None:
            return np.where(target != VOID_ID, target, labels).astype(np.uint8)
        ids = np.asarray(list(objects), dtype=np.int64)
        missing = sorted(set(ids.tolist()) - set(np.unique(target).tolist()))
        if ((ids <= BACKGROUND) | (ids >= VOID_ID)).any() or missing:
            raise InputError(f'objects must be ids 1..254 present in the mask; got '
                             f'{ids.tolist()}, absent from the mask: {missing}')
        taken = np.isin(target, ids)
        if self.prev_labels is None:  # the first annotation is complete; other ids ignored
            return np.where(taken, target, BACKGROUND).astype(np.uint8)
        out = np.where(np.isin(labels, ids), BACKGROUND, labels)
        return np.where(taken, target, out).astype(np.uint8)

