"""Robust background detection: boundary connectivity + saliency optimisation.

Zhu, Liang, Wei and Sun, "Saliency Optimization from Robust Background Detection",
CVPR 2014, re-implemented from the paper on SLIC superpixels:

* boundary connectivity ``BndCon(p) = Len_bnd(p) / sqrt(Area(p))`` with the soft area
  ``Area(p) = sum_q exp(-d_geo(p, q)^2 / (2 sigma_clr^2))`` and ``Len_bnd`` the same sum
  over border superpixels, ``d_geo`` the geodesic colour distance on the adjacency graph;
* background probability ``w_bg = 1 - exp(-BndCon^2 / (2 sigma_bndcon^2))``;
* background-weighted contrast ``wCtr(p) = sum_q d_app(p, q) w_spa(p, q) w_bg(q)``;
* the saliency ``s`` minimising ``sum_i w_bg_i s_i^2 + sum_i w_fg_i (s_i - 1)^2 +
  sum_{i~j} w_ij (s_i - s_j)^2`` (``w_fg = wCtr`` normalised, ``w_ij =
  exp(-d_app^2 / (2 sigma_clr^2)) + mu``), solved in closed form.
"""
import numpy as np
from skimage.segmentation import slic

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .base import BaseSaliencyEstimator
from .superpixel_graph import (SuperpixelGraph, build_graph, geodesic_distances,
                               graph_laplacian, pairwise_colour_distance, rgb_to_lab)


@MODELS.register_module()
class RBDSaliency(BaseSaliencyEstimator):
    """Boundary-connectivity background prior with saliency optimisation (Zhu et al.).

    Args:
        n_segments: Approximate SLIC superpixel count on the working image.
        compactness: SLIC compactness.
        sigma_clr: Colour scale (CIELAB units) of the geodesic area and smoothness terms.
        sigma_bndcon: Scale of boundary connectivity in the background probability.
        sigma_spa: Spatial scale (fraction of the image) of the contrast weights.
        mu: Constant added to the smoothness weights.
        link_boundary: Join all border superpixels in the geodesic graph.
        geo_clip: Adjacent colour distances below this (CIELAB units) cost nothing in
            the geodesic distance.
        optimise: Solve the optimisation (``False``: the map is ``wCtr`` normalised).
        **kwargs: :class:`BaseSaliencyEstimator` arguments (``max_side``, ``refiner``).
    """

    def __init__(self, n_segments: int = 300, compactness: float = 20.0,
                 sigma_clr: float = 10.0, sigma_bndcon: float = 1.0, sigma_spa: float = 0.25,
                 mu: float = 0.1, link_boundary: bool = False, geo_clip: float = 0.0,
                 optimise: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        if n_segments < 1:
            raise ConfigError(f'n_segments must be >= 1, got {n_segments}')
        self.n_segments = int(n_segments)
        self.compactness = float(compactness)
        self.sigma_clr = float(sigma_clr)
        self.sigma_bndcon = float(sigma_bndcon)
        self.sigma_spa = float(sigma_spa)
        self.mu = float(mu)
        self.link_boundary = bool(link_boundary)
        self.geo_clip = float(geo_clip)
        self.optimise = bool(optimise)

    def _saliency_map(self, rgb: np.ndarray) -> np.ndarray:
        lab = rgb_to_lab(rgb)
        labels = self._superpixels(lab)
        graph = build_graph(labels, lab)
        if graph.num_nodes < 2 or graph.boundary.all():
            return np.zeros(labels.shape, np.float32)
        background = self.background_probability(graph)
        contrast = self.weighted_contrast(graph, background)
        if self.optimise:
            values = self.optimise_saliency(graph, background, contrast)
        else:
            values = contrast
        return values[labels].astype(np.float32)

    def _superpixels(self, lab: np.ndarray) -> np.ndarray:
        h, w = lab.shape[:2]
        if h * w < 4:
            return np.zeros((h, w), np.int64)
        labels = slic(lab, n_segments=self.n_segments, compactness=self.compactness,
                      sigma=1.0, convert2lab=False, start_label=0, channel_axis=-1,
                      enforce_connectivity=True)
        _, inverse = np.unique(labels.ravel(), return_inverse=True)
        return inverse.reshape(h, w)

    def background_probability(self, graph: SuperpixelGraph) -> np.ndarray:
        """``(N,)`` background probability from boundary connectivity."""
        geo = geodesic_distances(graph, self.link_boundary, self.geo_clip)
        affinity = np.exp(-np.square(geo) / (2 * self.sigma_clr ** 2))  # inf → 0
        area = affinity.sum(1)
        length = affinity[:, graph.boundary].sum(1)
        bndcon = length / np.sqrt(area)
        return 1.0 - np.exp(-np.square(bndcon) / (2 * self.sigma_bndcon ** 2))

    def weighted_contrast(self, graph: SuperpixelGraph, background: np.ndarray) -> np.ndarray:
        """``(N,)`` background-weighted colour contrast, scaled to ``[0, 1]``."""
        appearance = pairwise_colour_distance(graph)
        diff = graph.position[:, None, :] - graph.position[None, :, :]
        spatial = np.exp(-(diff ** 2).sum(-1) / (2 * self.sigma_spa ** 2))
        contrast = (appearance * spatial * background[None, :]).sum(1)
        top = contrast.max()
        return contrast / top if top > 0 else contrast

    def optimise_saliency(self, graph: SuperpixelGraph, background: np.ndarray,
                          foreground: np.ndarray) -> np.ndarray:
        """Closed-form minimiser of the background / foreground / smoothness cost."""
        i, j = graph.edges[:, 0], graph.edges[:, 1]
        dist = np.linalg.norm(graph.colour[i] - graph.colour[j], axis=1)
        smooth = np.exp(-np.square(dist) / (2 * self.sigma_clr ** 2)) + self.mu
        system = graph_laplacian(graph, smooth) + np.diag(background + foreground + 1e-9)
        return np.clip(np.linalg.solve(system, foreground), 0.0, 1.0)
