"""A simple baseline: superpixel colour contrast times a centre prior."""
import numpy as np
from skimage.segmentation import slic

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import BaseSaliencyEstimator
from .superpixel_graph import build_graph, pairwise_colour_distance, rgb_to_lab


@MODELS.register_module()
class ContrastSaliency(BaseSaliencyEstimator):
    """Region colour contrast (each superpixel's CIELAB distance to all others, weighted
    by their area and spatial proximity, in the spirit of Cheng et al.'s region contrast)
    plus the colour distance to the mean border colour, multiplied by a Gaussian centre
    prior.

    Args:
        n_segments: Approximate SLIC superpixel count on the working image.
        compactness: SLIC compactness.
        sigma_spa: Spatial scale of the contrast weights (fraction of the image).
        centre_sigma: Width of the centre prior (fraction of the image).
        **kwargs: :class:`BaseSaliencyEstimator` arguments (``max_side``, ``refiner``).
    """

    def __init__(self, n_segments: int = 200, compactness: float = 20.0,
                 sigma_spa: float = 0.4, centre_sigma: float = 0.3, **kwargs) -> None:
        super().__init__(**kwargs)
        if n_segments < 1:
            raise ConfigError(f'n_segments must be >= 1, got {n_segments}')
        self.n_segments = int(n_segments)
        self.compactness = float(compactness)
        self.sigma_spa = float(sigma_spa)
        self.centre_sigma = float(centre_sigma)

    def _saliency_map(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        if h * w < 4:
            return np.zeros((h, w), np.float32)
        lab = rgb_to_lab(rgb)
        labels = slic(lab, n_segments=self.n_segments, compactness=self.compactness,
                      sigma=1.0, convert2lab=False, start_label=0, channel_axis=-1)
        labels = np.unique(labels.ravel(), return_inverse=True)[1].reshape(h, w)
        graph = build_graph(labels, lab)
        diff = graph.position[:, None, :] - graph.position[None, :, :]
        spatial = np.exp(-(diff ** 2).sum(-1) / (2 * self.sigma_spa ** 2))
        weights = spatial * graph.area[None, :] / graph.area.sum()
        contrast = (pairwise_colour_distance(graph) * weights).sum(1)
        border_mean = np.average(graph.colour[graph.boundary], axis=0,
                                 weights=graph.area[graph.boundary])
        contrast = contrast + np.linalg.norm(graph.colour - border_mean, axis=1)
        offset = graph.position - 0.5
        centre = np.exp(-(offset ** 2).sum(1) / (2 * self.centre_sigma ** 2))
        values = contrast * centre
        top = values.max()
        return (values / top if top > 1e-6 else np.zeros_like(values))[labels]
