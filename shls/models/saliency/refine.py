"""Soft saliency map → binary object mask (threshold, morphology, components, GrabCut)."""
from typing import Optional, Union

import cv2
import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError


@MODELS.register_module()
class SaliencyMaskRefiner:
    """Binarise a saliency map into a clean object mask.

    Steps: threshold (Otsu on the map, or ``mean_factor`` times its mean, or a fixed
    value; never below ``min_threshold``) → opening then closing with a disc of radius
    ``morph_radius * sqrt(h * w)`` → keep the connected components of at least
    ``keep_ratio`` times the largest one's area and ``min_area`` of the image → fill
    holes → optionally ``grabcut_iters`` iterations of :func:`cv2.grabCut` initialised
    from that mask (sure object: the mask eroded by ``grabcut_band * sqrt(h * w)``; sure
    background: outside the mask dilated as much; probable labels in the band between)
    and the component / hole steps again; if GrabCut removes every pixel, the mask from
    before GrabCut is kept.

    A map whose range ``max - min`` is below ``min_contrast``, or whose maximum is below
    the threshold, gives an empty mask.

    Args:
        threshold: ``'otsu'``, ``'mean'`` or a value in ``[0, 1]``.
        mean_factor: Factor of the ``'mean'`` threshold (2 in Achanta et al. 2009).
        min_threshold: Lower bound of the threshold.
        min_contrast: Minimal map range for any object.
        morph_radius: Opening / closing radius as a fraction of ``sqrt(h * w)``.
        keep_ratio: Components smaller than this fraction of the largest are dropped.
        min_area: Components smaller than this fraction of the image are dropped.
        fill_holes: Fill background regions not connected to the image border.
        grabcut_iters: GrabCut iterations; 0 disables GrabCut (about 4x faster; GrabCut
            raised the mean IoU of every measured method, by 0.02 to 0.09).
        grabcut_band: Half-width of GrabCut's uncertain band (fraction of
            ``sqrt(h * w)``); ``None`` lets GrabCut relabel any pixel.
    """

    def __init__(self, threshold: Union[str, float] = 'otsu', mean_factor: float = 2.0,
                 min_threshold: float = 0.1, min_contrast: float = 0.05,
                 morph_radius: float = 0.01, keep_ratio: float = 0.2,
                 min_area: float = 0.005, fill_holes: bool = True, grabcut_iters: int = 3,
                 grabcut_band: Optional[float] = 0.1) -> None:
        if isinstance(threshold, str) and threshold not in ('otsu', 'mean'):
            raise ConfigError(f"threshold must be 'otsu', 'mean' or a number, got {threshold!r}")
        if grabcut_iters < 0:
            raise ConfigError(f'grabcut_iters must be >= 0, got {grabcut_iters}')
        self.threshold = threshold
        self.mean_factor = float(mean_factor)
        self.min_threshold = float(min_threshold)
        self.min_contrast = float(min_contrast)
        self.morph_radius = float(morph_radius)
        self.keep_ratio = float(keep_ratio)
        self.min_area = float(min_area)
        self.fill_holes = bool(fill_holes)
        self.grabcut_iters = int(grabcut_iters)
        self.grabcut_band = grabcut_band

    def __call__(self, rgb: np.ndarray, saliency: np.ndarray) -> np.ndarray:
        """Binary mask of ``saliency``.

        Args:
            rgb: ``(h, w, 3)`` uint8 RGB image the map belongs to (used by GrabCut).
            saliency: ``(h, w)`` float map in ``[0, 1]``.

        Returns:
            ``(h, w)`` bool mask.
        """
        if saliency.size == 0 or np.ptp(saliency) < self.min_contrast:
            return np.zeros(saliency.shape, bool)
        mask = saliency >= self.pick_threshold(saliency)
        mask = self._clean(morph(mask, self._pixels(mask, self.morph_radius)))
        if self.grabcut_iters and mask.any() and not mask.all():
            cut = self._clean(grabcut(rgb, mask, self.grabcut_iters,
                                      self._pixels(mask, self.grabcut_band)))
            mask = cut if cut.any() else mask
        return mask

    def pick_threshold(self, saliency: np.ndarray) -> float:
        """The binarisation threshold of ``saliency``."""
        if self.threshold == 'otsu':
            levels = np.round(saliency * 255).astype(np.uint8)
            value = cv2.threshold(levels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
            value = (value + 1) / 255.0  # cv2 keeps values > t
        elif self.threshold == 'mean':
            value = self.mean_factor * float(saliency.mean())
        else:
            value = float(self.threshold)
        return max(value, self.min_threshold)

    def _clean(self, mask: np.ndarray) -> np.ndarray:
        mask = keep_large_components(mask, self.keep_ratio, self.min_area)
        return fill_holes(mask) if self.fill_holes else mask

    @staticmethod
    def _pixels(mask: np.ndarray, fraction: Optional[float]) -> Optional[int]:
        if fraction is None:
            return None
        return int(round(fraction * np.sqrt(mask.size)))

    def __repr__(self) -> str:
        params = ', '.join(f'{k}={v!r}' for k, v in vars(self).items())
        return f'{type(self).__name__}({params})'


def disc(radius: int) -> np.ndarray:
    """Elliptic structuring element of the given radius."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def morph(mask: np.ndarray, radius: int) -> np.ndarray:
    """Opening then closing with a disc (nothing for radius 0)."""
    if radius < 1:
        return mask
    kernel = disc(radius)
    out = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    out = cv2.morphologyEx(out, cv2.MORPH_CLOSE, kernel)
    return out.astype(bool)


def keep_large_components(mask: np.ndarray, keep_ratio: float, min_area: float) -> np.ndarray:
    """8-connected components of at least ``keep_ratio`` x the largest and ``min_area``
    of the image."""
    num, comp, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8),
                                                           connectivity=8)
    if num <= 1:
        return np.zeros(mask.shape, bool)
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    areas[0] = 0
    keep = (areas >= keep_ratio * areas.max()) & (areas >= min_area * mask.size)
    keep[0] = False
    return keep[comp]


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Set background components that do not touch the border to foreground."""
    num, comp = cv2.connectedComponents((~mask).astype(np.uint8), connectivity=4)
    border = np.concatenate([comp[0], comp[-1], comp[:, 0], comp[:, -1]])
    outside = np.zeros(num, bool)
    outside[border] = True
    outside[0] = True  # label 0 = the foreground pixels themselves
    return mask | ~outside[comp]


def grabcut(rgb: np.ndarray, mask: np.ndarray, iters: int, band: Optional[int]) -> np.ndarray:
    """Refine ``mask`` with GrabCut; ``band`` pixels around its edge are uncertain
    (``None``: everything is uncertain). The caller ensures both classes have pixels.
    OpenCV's global random generator (GrabCut's k-means initialisation) is seeded first,
    so the result is deterministic."""
    init = np.where(mask, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    if band is not None and band >= 1:
        kernel = disc(band)
        inner = cv2.erode(mask.astype(np.uint8), kernel).astype(bool)
        outer = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
        init[inner] = cv2.GC_FGD
        init[~outer] = cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    cv2.setRNGSeed(0)
    cv2.grabCut(bgr, init, None, bgd, fgd, iters, cv2.GC_INIT_WITH_MASK)
    return (init == cv2.GC_FGD) | (init == cv2.GC_PR_FGD)
