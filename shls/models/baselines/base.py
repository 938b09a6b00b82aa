"""Registered models without weights whose inference is a :class:`MaskPropagator`."""
import inspect
from typing import List, Optional, Sequence

import numpy as np

from mmengine.model import BaseModel

from shls.utils.keys import check_known_keys
from .propagator import MaskPropagator


class TrainingFreeModel(BaseModel):
    """A baseline model for :class:`~shls.engine.VOSTestLoop` (no weights, no training).

    It is a :class:`~shls.structures.segmenter.SegmenterFactory`: the test loop calls
    :meth:`build_segmenter` instead of wrapping the model in a
    :class:`~shls.apis.VideoSegmenter`; ``tools/test.py`` needs no checkpoint for it.

    Args:
        test_cfg: Keyword arguments of :attr:`segmenter_class` (overridable per run by
            the test loop's ``segmenter_cfg``).
        data_preprocessor: Unused; kept for the mmengine model signature.
        init_cfg: Unused; kept for the mmengine model signature.
    """

    #: The streaming segmenter built by :meth:`build_segmenter`.
    segmenter_class: type = MaskPropagator

    def __init__(self, test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.test_cfg = dict(test_cfg or {})
        self._check_keys(self.test_cfg)

    def build_segmenter(self, **overrides) -> MaskPropagator:
        """A fresh streaming segmenter: ``test_cfg`` updated with ``overrides``.

        Raises:
            ValueError: An option the segmenter does not take.
        """
        self._check_keys(overrides)
        return self.segmenter_class(**{**self.test_cfg, **overrides})

    def _check_keys(self, cfg: dict) -> None:
        """Raise ``ValueError`` on a key that :attr:`segmenter_class` does not take."""
        known = list(inspect.signature(self.segmenter_class).parameters)
        check_known_keys(cfg, known, 'test_cfg', owner=type(self).__name__)

    def forward(self, inputs: Sequence[Sequence[np.ndarray]],
                data_samples: Optional[Sequence[np.ndarray]] = None,
                mode: str = 'predict') -> List[np.ndarray]:
        """Segment whole videos in memory (the test loop streams them instead).

        Args:
            inputs: Videos, each a sequence of ``(H, W, 3)`` RGB frames.
            data_samples: The first-frame id mask of each video.
            mode: ``'predict'`` or ``'tensor'`` (the same here); a training-free model has
                no ``'loss'``.

        Returns:
            One ``(T, H, W)`` uint8 array of object ids per video.

        Raises:
            RuntimeError: ``mode='loss'``.
            ValueError: No first mask per video.
        """
        if mode == 'loss':
            raise RuntimeError(f'{type(self).__name__} is training-free: it has no loss')
        if data_samples is None or len(data_samples) != len(inputs):
            raise ValueError(f'{type(self).__name__}.forward needs one first mask per video')
        outputs = []
        for frames, first_mask in zip(inputs, data_samples):
            segmenter = self.build_segmenter()
            outputs.append(np.stack([segmenter.step(frame, first_mask if t == 0 else None)
                                     for t, frame in enumerate(frames)]))
        return outputs
