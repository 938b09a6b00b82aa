"""Objects inserted from other images: per-frame re-augmentation and occlusion-aware
pasting."""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from shls.structures.ids import NUM_LABEL_BINS
from .color import ColorJitter
from .geometry import random_perspective, resize_pair, smooth_interpolation


@dataclass
class ObjectPatch:
    """An object cut out of an image.

    Attributes:
        image: ``(h, w, 3)`` uint8 RGB crop around the object.
        mask: ``(h, w)`` uint8, 1 on the object's pixels, 0 elsewhere.
    """

    image: np.ndarray
    mask: np.ndarray


def crop_object(image: np.ndarray, labels: np.ndarray, label: int) -> ObjectPatch:
    """Crop the bounding box of ``labels == label`` out of ``image``."""
    mask = (labels == label).astype(np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0:
        raise ValueError(f'label {label} does not occur in the label map')
    return ObjectPatch(image[y:y + h, x:x + w].copy(), mask[y:y + h, x:x + w].copy())


class ObjectAugmenter:
    """Re-augments an object patch from its previous version (cumulative drift).

    Steps: resize so that the patch's shorter side is a random fraction (``short_side``)
    of the frame's shorter side, random perspective (corners moved by up to
    ``perspective`` of the patch size), colour jitter; the result is cropped to the
    object's mask box.

    Args:
        frame_size: ``(height, width)`` of the frames.
        color_jitter: Photometric jitter.
        short_side: Range of the patch's short side as a fraction of the frame's.
        perspective: Maximal corner shift as a fraction of the patch size.
    """

    def __init__(self, frame_size: Tuple[int, int], color_jitter: ColorJitter,
                 short_side: Sequence[float] = (0.1, 0.6), perspective: float = 0.1) -> None:
        self.frame_size = tuple(int(s) for s in frame_size)
        self.color_jitter = color_jitter
        self.short_side = tuple(short_side)
        self.perspective = perspective

    def __call__(self, patch: ObjectPatch, rng: np.random.Generator) -> ObjectPatch:
        """Return the next version of ``patch``."""
        h, w = patch.mask.shape
        target = rng.uniform(*self.short_side) * min(self.frame_size)
        factor = target / min(h, w)
        size = (max(1, int(round(h * factor))), max(1, int(round(w * factor))))
        resized = _resize_patch(patch, size)
        image, mask = random_perspective(*resized, rng, self.perspective)
        if not mask.any():  # degenerate warp of a tiny patch: keep the resized version
            image, mask = resized
        x, y, bw, bh = cv2.boundingRect(mask)
        if bw == 0:  # nothing left of the object; the paster rejects empty patches
            return ObjectPatch(image, mask)
        image = self.color_jitter(image[y:y + bh, x:x + bw], rng)
        return ObjectPatch(image, mask[y:y + bh, x:x + bw].copy())


def _resize_patch(patch: ObjectPatch, size: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Resize a patch; the binary mask is resized bilinearly and re-thresholded at 0.5,
    which keeps enlarged outlines smooth (nearest would make them blocky)."""
    image, _ = resize_pair(patch.image, patch.mask, size)
    soft = cv2.resize(patch.mask.astype(np.float32), (size[1], size[0]),
                      interpolation=smooth_interpolation(patch.mask.shape, size))
    return image, (soft >= 0.5).astype(np.uint8)


class ObjectPaster:
    """Pastes a patch into a frame unless it hides too much of the existing objects.

    Args:
        max_occlusion: A paste is rejected if any existing object would lose this
            fraction of its pixels or more (it must keep ``> 1 - max_occlusion``).
        tries: Random positions tried before giving up.
    """

    def __init__(self, max_occlusion: float = 0.5, tries: int = 3) -> None:
        self.max_occlusion = max_occlusion
        self.tries = tries

    def __call__(self, frame: np.ndarray, labels: np.ndarray, patch: ObjectPatch, label: int,
                 region: np.ndarray, rng: np.random.Generator) -> Optional[np.ndarray]:
        """Paste ``patch`` with ``label`` in place, its top-left corner drawn so that it
        lies inside ``region`` (``x0, y0, x1, y1``, exclusive ends) where possible.

        Returns:
            The pasted box ``(x0, y0, x1, y1)`` clipped to the frame, or ``None`` when all
            tries were rejected (``frame`` and ``labels`` are then unchanged).
        """
        if not patch.mask.any():
            return None
        before = np.bincount(labels.ravel(), minlength=NUM_LABEL_BINS)
        for _ in range(self.tries):
            box = self._draw_box(patch.mask.shape, region, labels.shape, rng)
            if box is None:
                return None
            src, dst = _overlap_slices(box, labels.shape)
            keep = patch.mask[src].astype(bool)
            lost = np.bincount(labels[dst][keep], minlength=NUM_LABEL_BINS)
            remaining = before - lost
            ok = remaining[1:] > (1.0 - self.max_occlusion) * before[1:]
            if np.all(ok | (before[1:] == 0)):
                frame[dst][keep] = patch.image[src][keep]
                labels[dst][keep] = label
                return _clip_box(box, labels.shape)
        return None

    @staticmethod
    def _draw_box(patch_shape: Tuple[int, int], region: np.ndarray,
                  frame_shape: Tuple[int, int],
                  rng: np.random.Generator) -> Optional[np.ndarray]:
        """Random box of the patch's size placed in ``region`` (or covering it)."""
        ph, pw = patch_shape
        rx0, ry0, rx1, ry1 = region
        x = rng.integers(min(rx0, rx1 - pw), max(rx0, rx1 - pw) + 1)
        y = rng.integers(min(ry0, ry1 - ph), max(ry0, ry1 - ph) + 1)
        box = np.array([x, y, x + pw, y + ph])
        clipped = _clip_box(box, frame_shape)
        if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
            return None
        return box


def _clip_box(box: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    h, w = shape
    return np.clip(box, 0, [w, h, w, h])


def _overlap_slices(box: np.ndarray, shape: Tuple[int, int]) -> Tuple[tuple, tuple]:
    """Slices of the patch and of the frame where a patch at ``box`` overlaps the frame."""
    cx0, cy0, cx1, cy1 = _clip_box(box, shape)
    x0, y0 = box[0], box[1]
    src = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    dst = (slice(cy0, cy1), slice(cx0, cx1))
    return src, dst


def enlarged_region(box: np.ndarray, margin: float, shape: Tuple[int, int]) -> np.ndarray:
    """``box`` grown on every side by ``margin`` times the frame height/width, clipped."""
    h, w = shape
    grow = np.array([-margin * w, -margin * h, margin * w, margin * h])
    return _clip_box(np.round(box + grow).astype(np.int64), shape)
