"""Frames of the template image: resized frame 0, jittered and warped later frames."""
from typing import Optional, Sequence, Tuple

import numpy as np

from .color import ColorJitter
from .geometry import random_affine, resize_pair, scaling, transformed_box, translation, warp_pair


class TemplateAugmenter:
    """Makes the background/template part of every pseudo-frame.

    Frame 0 is the template resized to ``frame_size``. Every later frame is drawn
    independently from frame 0: colour jitter, a random affine map
    (:func:`~.geometry.random_affine`), a random resize by ``resize`` and a
    ``frame_size`` crop that contains the objects' box up to ``crop_jitter`` pixels;
    all geometric steps are composed into one warp, uncovered pixels become background.

    Args:
        frame_size: ``(height, width)`` of the frames.
        color_jitter: Photometric jitter of frames ``1..N-1``.
        rotate: Maximal rotation in degrees.
        shear: Maximal horizontal shear in degrees.
        translate: Maximal translation in pixels (per axis).
        scale: Range of the per-axis affine scale.
        affine_prob: Probability of applying each of rotate/shear/translate/scale.
        resize: Range of the random resize factor applied before cropping.
        crop_jitter: Pixels by which the crop may cut into the objects' box.
    """

    def __init__(self, frame_size: Tuple[int, int], color_jitter: ColorJitter,
                 rotate: float = 30.0, shear: float = 15.0, translate: float = 15.0,
                 scale: Sequence[float] = (0.8, 1.2), affine_prob: float = 0.5,
                 resize: Sequence[float] = (0.8, 1.1), crop_jitter: float = 20.0) -> None:
        self.frame_size = tuple(int(s) for s in frame_size)
        self.color_jitter = color_jitter
        self.rotate = rotate
        self.shear = shear
        self.translate = translate
        self.scale = tuple(scale)
        self.affine_prob = affine_prob
        self.resize = tuple(resize)
        self.crop_jitter = crop_jitter

    def first_frame(self, image: np.ndarray,
                    labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Template resized to ``frame_size`` (no jitter)."""
        return resize_pair(image, labels, self.frame_size)

    def next_frame(self, image: np.ndarray, labels: np.ndarray,
                   rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
        """A jittered, warped and cropped version of frame 0 (``image``, ``labels``)."""
        jittered = self.color_jitter(image, rng)
        affine = random_affine(rng, self.frame_size, self.rotate, self.shear, self.translate,
                               self.scale, self.affine_prob)
        factor = rng.uniform(*self.resize)
        matrix = scaling(factor, factor) @ affine
        x0, y0 = self._crop_origin(transformed_box(labels > 0, matrix), factor, rng)
        return warp_pair(jittered, labels, translation(-x0, -y0) @ matrix, self.frame_size)

    def _crop_origin(self, box: Optional[np.ndarray], factor: float,
                     rng: np.random.Generator) -> Tuple[float, float]:
        """Top-left corner of a crop of the resized image that contains ``box``."""
        h, w = self.frame_size
        if box is None:  # no object: any crop of the resized frame
            box = np.array([0.0, 0.0, factor * w - 1, factor * h - 1])
        x0 = _crop_start(box[0], box[2], w, factor * w, self.crop_jitter, rng)
        y0 = _crop_start(box[1], box[3], h, factor * h, self.crop_jitter, rng)
        return x0, y0


def _crop_start(lo: float, hi: float, window: int, extent: float, jitter: float,
                rng: np.random.Generator) -> float:
    """Start of a 1-D window of length ``window`` that contains ``[lo, hi]`` up to
    ``jitter`` (or lies inside it when it is longer than the window), preferring starts
    that keep the window inside the resized image ``[0, extent)``."""
    first, last = hi + 1 - window, lo  # window contains [lo, hi] for start in [first, last]
    if first > last:  # box longer than the window: the window lies inside the box
        first, last = last, first
    first, last = first - jitter, last + jitter
    inside_first, inside_last = min(0.0, extent - window), max(0.0, extent - window)
    if max(first, inside_first) <= min(last, inside_last):
        first, last = max(first, inside_first), min(last, inside_last)
    return float(rng.uniform(first, last))
