"""Averaging the soft maps of several estimators."""
from typing import List, Optional, Sequence, Union

import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import BaseSaliencyEstimator


@MODELS.register_module()
class EnsembleSaliency(BaseSaliencyEstimator):
    """Weighted mean of the soft maps of member estimators, refined once.

    The members see the same working image (this estimator's ``max_side``); their own
    ``max_side`` and refiners are not used.

    Args:
        members: Member estimators or their configs (``MODELS``).
        weights: One weight per member (default: equal); normalised to sum 1.
        **kwargs: :class:`BaseSaliencyEstimator` arguments (``max_side``, ``refiner``).
    """

    def __init__(self, members: Sequence[Union[dict, BaseSaliencyEstimator]],
                 weights: Optional[Sequence[float]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.members: List[BaseSaliencyEstimator] = [
            MODELS.build(m) if isinstance(m, dict) else m for m in members]
        if not self.members or not all(isinstance(m, BaseSaliencyEstimator)
                                        for m in self.members):
            raise TypeError('members must be one or more saliency estimators')
        weights = np.ones(len(self.members)) if weights is None else np.asarray(weights, float)
        if weights.shape != (len(self.members), ) or (weights < 0).any() or weights.sum() <= 0:
            raise ConfigError(f'need {len(self.members)} non-negative weights, got {weights}')
        self.weights = tuple(float(w) for w in weights / weights.sum())

    def _saliency_map(self, rgb: np.ndarray) -> np.ndarray:
        maps = [np.clip(m._saliency_map(rgb), 0.0, 1.0) for m in self.members]
        return sum(w * m for w, m in zip(self.weights, maps))


@MODELS.register_module()
class MBDContrastSaliency(EnsembleSaliency):
    """The default pseudo-mask estimator: the mean of the :class:`MBDSaliency` and
    :class:`ContrastSaliency` maps, refined with Otsu + morphology + GrabCut (the
    refiner's defaults). It scored best of the measured variants on the 325 real
    masks of ``../shared/data/saliency`` (``tools/analysis/eval_saliency.py``).

    Args:
        mbd: Extra :class:`MBDSaliency` arguments.
        contrast: Extra :class:`ContrastSaliency` arguments.
        weights: Weights of the MBD and contrast maps.
        **kwargs: :class:`BaseSaliencyEstimator` arguments (``max_side``, ``refiner``).
    """

    def __init__(self, mbd: Optional[dict] = None, contrast: Optional[dict] = None,
                 weights: Sequence[float] = (0.5, 0.5), **kwargs) -> None:
        super().__init__([dict(type='MBDSaliency', **(mbd or {})),
                          dict(type='ContrastSaliency', **(contrast or {}))],
                         weights=weights, **kwargs)
