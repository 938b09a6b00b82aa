"""The declared interface of streaming segmenters (one frame in, one label map out).

:class:`~shls.apis.VideoSegmenter` (the learned model) and
:class:`~shls.models.baselines.MaskPropagator` (the training-free baselines) both satisfy
:class:`StreamingSegmenter`; :func:`~shls.apis.segment_video` and
:class:`~shls.engine.VOSTestLoop` are written against it. A model that brings its own
segmenter (a :class:`SegmenterFactory`) is not wrapped in a ``VideoSegmenter``.

The protocols are structural (:func:`typing.runtime_checkable`): a class satisfies them by
having the members, without inheriting from them. This module imports nothing from shls, so
every layer may use it.
"""
from typing import Any, Dict, List, Optional, Protocol, Sequence, runtime_checkable

import numpy as np
import torch
from torch import nn


@runtime_checkable
class StreamingSegmenter(Protocol):
    """Semi-supervised video object segmentation, one frame per :meth:`step`.

    Masks hold object ids: 0 = background, 1..254 = objects, 255 = void
    (:mod:`shls.structures.ids`).
    """

    def reset(self) -> None:
        """Forget the video (the next :meth:`step` needs a mask)."""

    def step(self, frame: Any, mask: Optional[np.ndarray] = None,
             objects: Optional[Sequence[int]] = None) -> np.ndarray:
        """Segment the next frame of the video.

        Args:
            frame: ``(H, W, 3)`` RGB image (uint8, or float in [0, 1]).
            mask: Optional ``(H, W)`` object ids annotating this frame; required on the
                first frame after :meth:`reset`.
            objects: Ids of ``mask`` to take; default: all (a complete annotation).

        Returns:
            ``(H, W)`` uint8 object ids.
        """

    @property
    def objects(self) -> List[int]:
        """Object ids known so far (background excluded)."""

    @property
    def device(self) -> torch.device:
        """Where the segmenter computes."""


@runtime_checkable
class PrefetchingSegmenter(StreamingSegmenter, Protocol):
    """A :class:`StreamingSegmenter` that can start on a frame before its :meth:`step`
    (the stream loops call :meth:`prefetch` one frame ahead)."""

    def prefetch(self, frame: Any) -> None:
        """Start work on ``frame``, which a later :meth:`step` will get; the results of
        that step are the same as without the call."""


@runtime_checkable
class ModelBackedSegmenter(StreamingSegmenter, Protocol):
    """A :class:`StreamingSegmenter` around a model with weights (e.g.
    :class:`~shls.apis.VideoSegmenter`): what a run's fingerprint records.

    Attributes:
        model: The wrapped model.
        cfg: The merged inference options (``test_cfg``).
        autocast_dtype: The mixed-precision dtype (``None`` = float32).
    """

    model: nn.Module
    cfg: Dict[str, Any]
    autocast_dtype: Optional[torch.dtype]


@runtime_checkable
class SegmenterFactory(Protocol):
    """A model that builds its own :class:`StreamingSegmenter` (e.g. the training-free
    baselines, :class:`~shls.models.baselines.TrainingFreeModel`)."""

    def build_segmenter(self, **overrides: Any) -> StreamingSegmenter:
        """A fresh segmenter; ``overrides`` update the model's ``test_cfg``.

        Raises:
            ValueError: An option the segmenter does not take.
        """


def autocast_dtype_of(segmenter: StreamingSegmenter) -> Optional[torch.dtype]:
    """The mixed-precision dtype of a segmenter (``None``: float32 or no model)."""
    if isinstance(segmenter, ModelBackedSegmenter):
        return segmenter.autocast_dtype
    return None


def precision_tag(segmenter: StreamingSegmenter) -> str:
    """What a run's fingerprint records of the arithmetic: the autocast dtype, plus
    ``+int8`` where the backbone runs in int8 (``test_cfg.int8``)."""
    tag = str(autocast_dtype_of(segmenter))
    return tag + '+int8' if getattr(segmenter, 'int8', False) else tag
