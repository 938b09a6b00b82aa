"""Pseudo-video synthesis from one still image (SHLS / Oh et al. 2018 style)."""
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from shls.utils.errors import ConfigError
from .color import ColorJitter
from .objects import ObjectAugmenter, ObjectPaster, ObjectPatch, enlarged_region
from .template import TemplateAugmenter

#: Draws a random object (from another image) or returns ``None`` when there is none.
SourceSampler = Callable[[np.random.Generator], Optional[ObjectPatch]]


@dataclass
class _Track:
    """An inserted object: its latest patch, last pasted box and label."""

    patch: ObjectPatch
    box: np.ndarray
    label: int


class PseudoVideoSynthesizer:
    """Turns a template (image + object labels) into ``num_frames`` pseudo-frames.

    Frame 0 is the template resized to ``frame_size``; later frames are colour-jittered,
    randomly warped and cropped versions of it (:class:`TemplateAugmenter`). Then objects
    cut out of other images are inserted so the clip has ``min_objects..max_objects``
    foreground objects: with probability ``clone_prob`` an insertion reuses the previous
    source ("cloned" objects). Each object is re-augmented every frame from its
    previous-frame version (:class:`ObjectAugmenter`) and pasted anywhere in frame 0, at
    frame ``t >= 1`` inside its last box grown by ``box_margin + t * box_margin_step``
    of the frame size on each side. A paste that would leave an existing object with
    ``<= 1 - max_occlusion`` of its pixels is retried up to ``paste_tries`` times; failing
    at frame 0 drops the object, later it is absent from that frame only.

    Templates with more than ``max_objects`` objects keep the largest ones (the others
    become background). All randomness comes from the generator passed to
    :meth:`__call__`. Defaults are the SHLS values (method.md §4.1).

    Args:
        num_frames: Frames per clip.
        frame_size: ``(height, width)`` of the frames.
        max_objects: Maximal number of foreground objects.
        min_objects: Insertions aim at least at this many objects.
        brightness, contrast, saturation, hue: :class:`ColorJitter` magnitudes (shared by
            template frames and objects).
        rotate, shear, translate, scale, affine_prob: Template affine augmentation
            (degrees, degrees, pixels, per-axis range, probability of each).
        resize: Range of the template's resize factor before the crop.
        crop_jitter: Pixels the template crop may cut into the objects' box.
        object_short_side: Range of an inserted object's short side / frame short side.
        perspective: Maximal corner shift of an inserted object (fraction of its size).
        box_margin, box_margin_step: Search region growth of inserted objects.
        max_occlusion: Maximal fraction of an existing object a paste may hide.
        paste_tries: Paste attempts per object and frame.
        clone_prob: Probability that an insertion reuses the previous source.
    """

    def __init__(self, num_frames: int = 3, frame_size: Tuple[int, int] = (256, 256),
                 max_objects: int = 3, min_objects: int = 1, brightness: float = 0.2,
                 contrast: float = 0.2, saturation: float = 0.2, hue: float = 0.01,
                 rotate: float = 30.0, shear: float = 15.0, translate: float = 15.0,
                 scale: Sequence[float] = (0.8, 1.2), affine_prob: float = 0.5,
                 resize: Sequence[float] = (0.8, 1.1), crop_jitter: float = 20.0,
                 object_short_side: Sequence[float] = (0.1, 0.6), perspective: float = 0.1,
                 box_margin: float = 0.2, box_margin_step: float = 0.1,
                 max_occlusion: float = 0.5, paste_tries: int = 3,
                 clone_prob: float = 1.0 / 3.0) -> None:
        if num_frames < 1 or not 0 <= min_objects <= max_objects <= 254:
            raise ConfigError('need num_frames >= 1 and 0 <= min_objects <= max_objects <= 254')
        self.num_frames = int(num_frames)
        self.frame_size = (int(frame_size[0]), int(frame_size[1]))
        self.max_objects = int(max_objects)
        self.min_objects = int(min_objects)
        jitter = ColorJitter(brightness, contrast, saturation, hue)
        self.template = TemplateAugmenter(self.frame_size, jitter, rotate, shear, translate,
                                          scale, affine_prob, resize, crop_jitter)
        self.augment_object = ObjectAugmenter(self.frame_size, jitter, object_short_side,
                                              perspective)
        self.paste = ObjectPaster(max_occlusion, paste_tries)
        self.box_margin = box_margin
        self.box_margin_step = box_margin_step
        self.clone_prob = clone_prob

    def __call__(self, image: np.ndarray, labels: np.ndarray, sample_source: SourceSampler,
                 rng: np.random.Generator) -> dict:
        """Synthesise one clip.

        Args:
            image: ``(H, W, 3)`` uint8 RGB template.
            labels: ``(H, W)`` integer object labels of the template (0 = background).
            sample_source: Draws an object patch from another image (or ``None``).
            rng: The only source of randomness.

        Returns:
            dict with ``frames`` (list of ``(h, w, 3)`` uint8 RGB), ``masks`` (list of
            ``(h, w)`` uint8 labels ``0..num_objects``), ``num_objects``,
            ``num_template_objects`` and ``num_inserted`` (objects kept at frame 0).
        """
        frame0, labels0 = self.template.first_frame(image, self._cap_objects(labels))
        labels0 = self._cap_objects(labels0)  # renumber if resizing lost a tiny object
        num_template = int(labels0.max())
        sources = self._draw_sources(num_template, sample_source, rng)
        frames, masks, tracks = [], [], []
        for t in range(self.num_frames):
            if t == 0:
                frame, mask = frame0.copy(), labels0.copy()
                tracks = self._insert_first(frame, mask, sources, num_template + 1, rng)
            else:
                frame, mask = self.template.next_frame(frame0, labels0, rng)
                self._insert_next(frame, mask, tracks, t, rng)
            frames.append(frame)
            masks.append(mask)
        return dict(frames=frames, masks=masks, num_objects=num_template + len(tracks),
                    num_template_objects=num_template, num_inserted=len(tracks))

    def _cap_objects(self, labels: np.ndarray) -> np.ndarray:
        """Keep the ``max_objects`` largest objects, renumbered ``1..K`` by size (uint8)."""
        labels = np.asarray(labels, dtype=np.int64)
        if labels.min() < 0:
            raise ValueError('object labels must be >= 0')
        areas = np.bincount(labels.ravel())
        areas[0] = 0
        order = np.argsort(-areas, kind='stable')[:self.max_objects]
        order = order[areas[order] > 0]
        new_id = np.zeros(len(areas), np.uint8)
        new_id[order] = np.arange(1, len(order) + 1)
        return new_id[labels]

    def _draw_sources(self, num_template: int, sample_source: SourceSampler,
                      rng: np.random.Generator) -> List[ObjectPatch]:
        """Source patches of the objects to insert (a clone reuses the previous one)."""
        low = max(0, self.min_objects - num_template)
        high = max(0, self.max_objects - num_template)
        count = int(rng.integers(min(low, high), high + 1))
        sources: List[ObjectPatch] = []
        for _ in range(count):
            if sources and rng.random() < self.clone_prob:
                sources.append(sources[-1])
                continue
            source = sample_source(rng)
            if source is not None:
                sources.append(source)
        return sources

    def _insert_first(self, frame: np.ndarray, mask: np.ndarray, sources: List[ObjectPatch],
                      first_label: int, rng: np.random.Generator) -> List[_Track]:
        """Paste every source anywhere in frame 0; objects that do not fit are dropped."""
        region = np.array([0, 0, self.frame_size[1], self.frame_size[0]])
        tracks: List[_Track] = []
        for source in sources:
            patch = self.augment_object(source, rng)
            label = first_label + len(tracks)
            box = self.paste(frame, mask, patch, label, region, rng)
            if box is not None:
                tracks.append(_Track(patch, box, label))
        return tracks

    def _insert_next(self, frame: np.ndarray, mask: np.ndarray, tracks: List[_Track], t: int,
                     rng: np.random.Generator) -> None:
        """Paste every tracked object near its last box; a failure leaves it absent."""
        margin = self.box_margin + t * self.box_margin_step
        for track in tracks:
            track.patch = self.augment_object(track.patch, rng)
            region = enlarged_region(track.box, margin, self.frame_size)
            box = self.paste(frame, mask, track.patch, track.label, region, rng)
            if box is not None:
                track.box = box
