"""ISEC superpixels: Iterative Over-Segmentation via Edge Clustering (method.md §2.1).

A vectorised NumPy/OpenCV re-implementation of the procedure that SHLS's Python port of
ISEC follows: multi-scale Canny edges are clustered by an edge-density box filter,
thinned back to one-pixel contours, thresholded, cleaned by area filters and accumulated
over ``nit`` iterations; the regions enclosed by the final contours are the superpixels
and the contour pixels are absorbed by their neighbours. The number, size and shape of
the superpixels follow the image content; there is no target count.
"""
import math
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from ._edges import canny_edges
from ._morphology import area_closing, area_opening, remove_interior, thin_padded
from .base import SuperpixelGenerator

# scikit-image's rgb2gray luminance weights (ITU-R BT.709).
_GRAY_WEIGHTS = np.array([0.2125, 0.7154, 0.0721], np.float32) / 255.0
_FULL_3X3 = np.ones((3, 3), np.uint8)


@MODELS.register_module()
class ISECSuperpixels(SuperpixelGenerator):
    """ISEC superpixels (Mendonça & Oliveira), SHLS preset by default.

    Iteration ``it = 0..nit-1`` detects Canny edges at ``sigma = 1 + it`` with thresholds
    ``high_it`` and ``low_ratio * high_it``, clusters them with an ``S x S`` box filter
    (``S = max(3, f_order - 2 * it)``), min-max rescales the density, thins its support
    with at most ``(S - 1) // 2`` iterations, keeps density ``> density_step * it``, fills
    holes below ``closing_area + closing_area_step * it`` pixels, keeps the outline and
    accumulates it. The accumulated contours are post-processed (hole filling below
    ``post_area``, thinning with ``S = f_order``, outline, removal of 8-connected fragments
    below ``post_area``); the 4-connected non-contour regions become superpixels and every
    contour pixel repeatedly takes the largest label among its 8 neighbours until none is
    left.

    The defaults are the SHLS copy of ISEC (``isec(f_order=11, nit=4)``): ``nit=4``,
    ``high_it = 0.1 * exp(0.02 * it)``, ``low_ratio=0.1``, ``post_area=20``; about 600-1500
    superpixels on a 854x480 frame. :meth:`standalone` gives the coarser preset of the
    standalone ISEC port (``nit=6``, ``high_it = 0.1 + 0.05 * it``, ``low_ratio=0.4``,
    ``post_area=80``).

    Edges follow the port's Canny variant: the blur zero-pads the image, so a bright image
    border yields a contour one pixel inside it (and a one-pixel strip of superpixel
    along it), as in the port; ``skimage.feature.canny`` compensates that padding and
    otherwise agrees with these edges exactly. Output is deterministic.

    Args:
        f_order: Largest box-filter size (iteration 0) and the post-processing thinning
            size. Smaller values give more, smaller superpixels.
        nit: Number of iterations (edge scales ``sigma = 1..nit``).
        high_thresholds: Upper Canny threshold of each iteration, in raw Sobel magnitude
            units of a ``[0, 1]`` image (at least ``nit`` values). ``None`` uses the SHLS
            schedule ``0.1 * exp(0.02 * it)``.
        low_ratio: Lower Canny threshold as a fraction of the upper one.
        density_step: Iteration ``it`` keeps thinned pixels whose rescaled edge density
            exceeds ``density_step * it``.
        closing_area: Area threshold of the per-iteration hole filling at ``it = 0``.
        closing_area_step: Increase of that threshold per iteration.
        post_area: Area threshold (pixels) of the post-processing hole filling and
            fragment removal.
        max_side: If set and the longer image side exceeds it, segment a copy resized
            (area interpolation) so that its longer side is ``max_side`` and upsample the
            labels with nearest neighbour. Faster, coarser; ``None`` keeps full
            resolution.
    """

    def __init__(self, f_order: int = 11, nit: int = 4,
                 high_thresholds: Optional[Sequence[float]] = None, low_ratio: float = 0.1,
                 density_step: float = 0.05, closing_area: int = 10,
                 closing_area_step: int = 5, post_area: int = 20,
                 max_side: Optional[int] = None) -> None:
        if f_order < 1 or nit < 1:
            raise ConfigError(f'f_order and nit must be >= 1, got {f_order}, {nit}')
        if high_thresholds is not None and len(high_thresholds) < nit:
            raise ConfigError(f'need {nit} high thresholds, got {len(high_thresholds)}')
        if max_side is not None and max_side < 1:
            raise ConfigError(f'max_side must be >= 1, got {max_side}')
        self.f_order = int(f_order)
        self.nit = int(nit)
        self.high_thresholds = (None if high_thresholds is None else
                                tuple(float(t) for t in high_thresholds))
        self.low_ratio = float(low_ratio)
        self.density_step = float(density_step)
        self.closing_area = int(closing_area)
        self.closing_area_step = int(closing_area_step)
        self.post_area = int(post_area)
        self.max_side = None if max_side is None else int(max_side)

    @classmethod
    def standalone(cls, **overrides) -> 'ISECSuperpixels':
        """The standalone ISEC port's preset (coarser than SHLS's); ``overrides`` win."""
        params = dict(f_order=11, nit=6, high_thresholds=tuple(round(0.1 + 0.05 * it, 6)
                                                               for it in range(6)),
                      low_ratio=0.4, post_area=80)
        params.update(overrides)
        return cls(**params)

    def high_threshold(self, it: int) -> float:
        """Upper Canny threshold of iteration ``it``."""
        if self.high_thresholds is not None:
            return self.high_thresholds[it]
        return 0.1 * math.exp(0.02 * it)

    def box_size(self, it: int) -> int:
        """Edge-clustering box size ``S`` of iteration ``it``."""
        return max(3, self.f_order - 2 * it)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        full_size = image.shape[:2]
        image = _shrink(image, self.max_side)
        labels = contours_to_labels(self.contours(image))
        return _nearest_resize(labels, full_size)

    def contours(self, image: np.ndarray) -> np.ndarray:
        """One-pixel ISEC contour map of an ``(H, W, 3)`` uint8 RGB image (bool)."""
        gray = np.ascontiguousarray(image.astype(np.float32) @ _GRAY_WEIGHTS)
        acc = np.zeros(gray.shape, bool)
        for it in range(self.nit):
            high = self.high_threshold(it)
            edges = canny_edges(gray, sigma=1.0 + it, low=self.low_ratio * high, high=high)
            acc |= self._cluster_edges(edges, it)
        return self._postprocess(acc)

    def _cluster_edges(self, edges: np.ndarray, it: int) -> np.ndarray:
        """Steps 3b-3h: density, rescale, thin, threshold, hole filling, outline."""
        box = self.box_size(it)
        density = cv2.boxFilter(edges.view(np.uint8).astype(np.float32), -1, (box, box),
                                normalize=False, borderType=cv2.BORDER_CONSTANT)
        density = _minmax(density)
        support = thin_padded(density > 0, pad=box, max_num_iter=(box - 1) // 2)
        kept = support & (density > self.density_step * it)
        kept = area_closing(kept, self.closing_area + self.closing_area_step * it)
        return remove_interior(kept)

    def _postprocess(self, contours: np.ndarray) -> np.ndarray:
        """Step 4: hole filling, thinning with ``S = f_order``, outline, fragment removal."""
        contours = area_closing(contours, self.post_area)
        contours = thin_padded(contours, pad=self.f_order,
                               max_num_iter=(self.f_order - 1) // 2)
        contours = remove_interior(contours)
        return area_opening(contours, self.post_area)


def contours_to_labels(contours: np.ndarray) -> np.ndarray:
    """Label the regions between contours and let the regions absorb the contours.

    Non-contour pixels get 4-connected component ids ``1..N``; then, until no contour
    pixel is left, every contour pixel takes the largest id among its 8 neighbours
    (all contour pixels updated at once per pass). An image that is all contour is one
    region.

    Args:
        contours: ``(H, W)`` bool contour map.

    Returns:
        ``(H, W)`` int32 label map with ids ``>= 1`` (not necessarily contiguous).
    """
    n, labels = cv2.connectedComponents((~contours).view(np.uint8), connectivity=4,
                                        ltype=cv2.CV_32S)
    if n <= 1:
        return np.ones(contours.shape, np.int32)
    # float32 holds ids exactly up to 2**24 and is a dtype cv2.dilate accepts.
    values = labels.astype(np.float32)
    todo = contours.copy()
    while todo.any():
        grown = cv2.dilate(values, _FULL_3X3, borderType=cv2.BORDER_REFLECT)
        values[todo] = grown[todo]
        todo = values == 0
    return values.astype(np.int32)


def _minmax(x: np.ndarray) -> np.ndarray:
    """Rescale to ``[0, 1]``; a constant array becomes zeros."""
    lo, hi = float(x.min()), float(x.max())
    if hi <= lo:
        return np.zeros_like(x)
    return (x - lo) * (1.0 / (hi - lo))


def _shrink(image: np.ndarray, max_side: Optional[int]) -> np.ndarray:
    """Resize so that the longer side is at most ``max_side`` (area interpolation)."""
    h, w = image.shape[:2]
    if max_side is None or max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _nearest_resize(labels: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize of an integer map to ``size = (H, W)`` (pixel centres)."""
    h, w = labels.shape
    if (h, w) == tuple(size):
        return labels
    rows = np.minimum(((np.arange(size[0]) + 0.5) * h / size[0]).astype(np.int64), h - 1)
    cols = np.minimum(((np.arange(size[1]) + 0.5) * w / size[1]).astype(np.int64), w - 1)
    return labels[rows[:, None], cols[None, :]]
