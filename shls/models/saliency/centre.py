"""The content-free baseline: a Gaussian bump at the image centre."""
import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import BaseSaliencyEstimator


@MODELS.register_module()
class CentrePriorSaliency(BaseSaliencyEstimator):
    """Saliency that ignores the image: ``exp(-d^2 / (2 sigma^2))`` of the normalised
    distance ``d`` to the centre. Refined with GrabCut it is the classic "box around the
    centre" initialisation; alone it is the reference any real method must beat.

    Args:
        sigma: Width as a fraction of each image side.
        **kwargs: :class:`BaseSaliencyEstimator` arguments (``max_side``, ``refiner``).
    """

    def __init__(self, sigma: float = 0.25, **kwargs) -> None:
        super().__init__(**kwargs)
        if sigma <= 0:
            raise ConfigError(f'sigma must be > 0, got {sigma}')
        self.sigma = float(sigma)

    def _saliency_map(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        ys = (np.arange(h) + 0.5) / h - 0.5
        xs = (np.arange(w) + 0.5) / w - 0.5
        return np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * self.sigma ** 2))
