"""The interface every superpixel generator implements."""
from abc import ABCMeta, abstractmethod

import numpy as np


class SuperpixelGenerator(metaclass=ABCMeta):
    """Turns an image into a superpixel label map.

    Subclasses implement :meth:`_segment`; :meth:`__call__` validates the input and
    normalises the output, so every generator returns the same contract: an ``int32``
    array of shape ``(H, W)`` whose ids are ``0..N-1``, contiguous, every pixel labelled.

    Generators are plain callables (not ``nn.Module``), registered in ``MODELS`` so that a
    config swaps them by ``type``; they run on the CPU on ``uint8`` RGB arrays, inside data
    pipelines as well as at inference time.
    """

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """Segment ``image`` into superpixels.

        Args:
            image: ``(H, W, 3)`` RGB, ``(H, W, 4)`` RGBA (alpha ignored) or ``(H, W)``
                grayscale array, ``uint8`` or float in ``[0, 1]``.

        Returns:
            ``(H, W)`` ``int32`` label map with contiguous ids ``0..N-1``.
        """
        rgb = to_rgb_uint8(image)
        labels = self._segment(rgb)
        return relabel_contiguous(labels)

    @abstractmethod
    def _segment(self, image: np.ndarray) -> np.ndarray:
        """Return an integer label map for an ``(H, W, 3)`` ``uint8`` RGB image."""

    def __repr__(self) -> str:
        params = ', '.join(f'{k}={v!r}' for k, v in sorted(vars(self).items())
                           if not k.startswith('_'))
        return f'{type(self).__name__}({params})'


#: Deprecated alias of :class:`SuperpixelGenerator` (its former name), kept for plugins.
BaseSuperpixelGenerator = SuperpixelGenerator


def to_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """Convert a grayscale / RGB / RGBA, uint8 or float image to ``(H, W, 3)`` uint8."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4) or min(image.shape[:2]) < 1:
        raise ValueError(f'expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape '
                         f'{image.shape}')
    if image.shape[2] == 4:
        image = image[..., :3]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.floating):
            image = np.clip(np.rint(image * 255.0), 0, 255)
        image = image.astype(np.uint8)
    return np.ascontiguousarray(image)


def relabel_contiguous(labels: np.ndarray) -> np.ndarray:
    """Map arbitrary integer labels to contiguous ``0..N-1`` in ascending id order.

    Non-negative ids below a few times the pixel count (every generator here) go through
    a ``bincount`` look-up table, ~10x faster than the sort of ``np.unique``, which the
    other cases use; both give the same map.
    """
    labels = np.asarray(labels)
    flat = labels.ravel()
    if (flat.size and np.issubdtype(flat.dtype, np.integer) and flat.min() >= 0
            and flat.max() < 4 * flat.size + 65536):
        lut = np.cumsum(np.bincount(flat) > 0) - 1
        return lut.astype(np.int32)[labels]
    _, inverse = np.unique(flat, return_inverse=True)
    return inverse.reshape(labels.shape).astype(np.int32)
