"""The interface every unsupervised saliency estimator implements."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple, Union

import cv2
import numpy as np

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from ..superpixels.base import to_rgb_uint8
from .refine import SaliencyMaskRefiner


class BaseSaliencyEstimator(metaclass=ABCMeta):
    """Turns one still image into an object mask, without training.

    Subclasses implement :meth:`_saliency_map` on a *working* copy of the image (the
    image shrunk so that its longer side is at most ``max_side``; smaller images are
    used as they are). :meth:`saliency_map` returns that soft map at the input size;
    :meth:`__call__` refines it with :class:`SaliencyMaskRefiner` into a binary mask at
    the input size. Estimators are plain, picklable callables (safe in dataloader
    workers), registered in ``MODELS``.

    Every input gives a valid output: an image with nothing standing out gives an
    all-zero map and mask rather than a guess — a nearly uniform image (the 1st to 99th
    percentile range of every CIELAB channel of the slightly blurred working image is
    below ``min_colour_range``), or one a few pixels wide whose every pixel touches the
    border.

    Args:
        max_side: Longer side of the working image (pixels).
        min_colour_range: Colour range (CIELAB units) below which an image is uniform.
        refiner: A :class:`SaliencyMaskRefiner` or the keyword arguments of one (a dict,
            ``type`` optional); ``None`` uses its defaults.
    """

    def __init__(self, max_side: int = 300, min_colour_range: float = 2.0,
                 refiner: Optional[Union[dict, SaliencyMaskRefiner]] = None) -> None:
        if max_side < 8:
            raise ConfigError(f'max_side must be >= 8, got {max_side}')
        self.max_side = int(max_side)
        self.min_colour_range = float(min_colour_range)
        self.refiner = build_refiner(refiner)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """Estimate the object mask of ``image``.

        Args:
            image: ``(H, W, 3)`` RGB, ``(H, W, 4)`` RGBA (alpha ignored) or ``(H, W)``
                grayscale, ``uint8`` or float in ``[0, 1]``.

        Returns:
            ``(H, W)`` uint8 mask, 255 = object, 0 = background.
        """
        small, soft = self.working_map(image)
        return upsample_mask(self.refiner(small, soft), np.shape(image)[:2])

    def saliency_map(self, image: np.ndarray) -> np.ndarray:
        """``(H, W)`` float32 soft saliency in ``[0, 1]`` of ``image`` (any input of
        :meth:`__call__`), bilinearly resized to the input size."""
        _, soft = self.working_map(image)
        h, w = np.shape(image)[:2]
        return cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)

    def working_map(self, image: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """The working RGB image and its float32 saliency map in ``[0, 1]``, both at the
        working size (for callers that refine one map in several ways)."""
        small = shrink(to_rgb_uint8(image), self.max_side)
        if colour_range(small) < self.min_colour_range:
            return small, np.zeros(small.shape[:2], np.float32)
        soft = np.clip(self._saliency_map(small), 0.0, 1.0).astype(np.float32)
        return small, soft

    @abstractmethod
    def _saliency_map(self, rgb: np.ndarray) -> np.ndarray:
        """``(h, w)`` saliency in ``[0, 1]`` of an ``(h, w, 3)`` uint8 RGB image."""

    def __repr__(self) -> str:
        params = ', '.join(f'{k}={v!r}' for k, v in sorted(vars(self).items())
                           if not k.startswith('_'))
        return f'{type(self).__name__}({params})'


def build_refiner(refiner: Optional[Union[dict, SaliencyMaskRefiner]]) -> SaliencyMaskRefiner:
    """A refiner from an instance, a config dict (``type`` optional) or ``None``."""
    if refiner is None:
        return SaliencyMaskRefiner()
    if isinstance(refiner, dict):
        cfg = dict(refiner)
        cfg.setdefault('type', 'SaliencyMaskRefiner')
        refiner = MODELS.build(cfg)
    if not isinstance(refiner, SaliencyMaskRefiner):
        raise TypeError(f'refiner must be a SaliencyMaskRefiner, got {type(refiner).__name__}')
    return refiner


def colour_range(rgb: np.ndarray) -> float:
    """Largest 1st-to-99th percentile range of the CIELAB channels of ``rgb`` after a
    3x3 Gaussian blur."""
    blurred = cv2.GaussianBlur(rgb, (3, 3), 0).astype(np.float32) / 255.0
    lab = cv2.cvtColor(blurred, cv2.COLOR_RGB2Lab).reshape(-1, 3)
    low, high = np.percentile(lab, [1, 99], axis=0)
    return float((high - low).max())


def shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Resize so that the longer side is at most ``max_side`` (area interpolation)."""
    h, w = rgb.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def upsample_mask(mask: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """Resize a boolean mask to ``shape`` with smooth edges; uint8 0/255."""
    h, w = int(shape[0]), int(shape[1])
    if mask.shape == (h, w):
        return mask.astype(np.uint8) * 255
    soft = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return (soft >= 0.5).astype(np.uint8) * 255
