"""Streaming a video annotated on its first frame through a segmenter, one frame at a time.

Written against :class:`~shls.structures.segmenter.StreamingSegmenter`, so the learned
:class:`~shls.apis.VideoSegmenter` and the training-free baselines stream alike. This module
builds no model and reads no config (see :mod:`shls.apis.inference` for that), so the test
loop (:mod:`shls.engine`) can use it without depending on the model-building layer.
"""
import os
from typing import Iterable, Iterator, Optional, Tuple, Union

import numpy as np

from shls.datasets.mask_io import read_mask
from shls.structures.ids import BACKGROUND, VOID_ID
from shls.structures.segmenter import PrefetchingSegmenter, StreamingSegmenter
from shls.utils.errors import InputError
from .frame_source import FrameInput, FrameSource, check_frame_size, open_frames

MaskInput = Union[str, os.PathLike, np.ndarray]


def load_first_mask(mask: MaskInput, name: Optional[str] = None) -> Tuple[np.ndarray, str]:
    """The first annotation as ``(H, W)`` ids, and a name for messages.

    Args:
        mask: A mask file or an ``(H, W)`` ids array.
        name: Name for messages (default: the file, or ``'the first mask'``).

    Raises:
        FileNotFoundError, ValueError: From :func:`~shls.datasets.mask_io.read_mask`.
        ValueError: The mask holds no object (only background 0 / void 255).
    """
    if isinstance(mask, (str, os.PathLike)):
        name = name or os.fspath(mask)
        array = read_mask(os.fspath(mask))
    else:
        name, array = name or 'the first mask', np.asarray(mask)
    if array.ndim != 2:
        raise InputError(f'first mask must be (H, W), got shape {array.shape}: {name}')
    if not np.isin(array, (BACKGROUND, VOID_ID), invert=True).any():
        raise InputError(f'first mask has no object (only background 0 / void 255): {name}')
    return array, name


def segment_video(segmenter: StreamingSegmenter, frames: Union[FrameInput, FrameSource],
                  first_mask: MaskInput, mask_name: Optional[str] = None
                  ) -> Iterator[np.ndarray]:
    """Stream a video through ``segmenter`` (reset first), one label map per frame.

    The first mask and the frame source are checked now; frames are read lazily.

    Args:
        segmenter: The segmenter.
        frames: Frame folder, video file, :class:`FrameSource` or iterable of
            ``(H, W, 3)`` uint8 RGB arrays.
        first_mask: Annotation of the first frame (palette PNG path or ids array).
        mask_name: Name of the first mask in messages (e.g. the file an array came from).

    Returns:
        An iterator of ``(H, W)`` uint8 object ids.

    Raises:
        ValueError: A first mask without object, or (when iterated) of another size.
    """
    source = open_frames(frames)
    mask, name = load_first_mask(first_mask, mask_name)
    return (pred for _, pred in stream_first_mask(segmenter, source, mask, name))


def stream_first_mask(segmenter: StreamingSegmenter, source: FrameSource, mask: np.ndarray,
                      mask_name: str) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    """Yield ``(frame, prediction)`` pairs of a video annotated on its first frame.

    Args:
        segmenter: The segmenter (reset first).
        source: The frames.
        mask: ``(H, W)`` ids of the first frame.
        mask_name: Name of the first mask in messages.

    Raises:
        ValueError: Frames of another size than the mask, or no frame.
    """
    segmenter.reset()
    count = 0
    for frame, upcoming in with_next(source):
        announce(segmenter, upcoming)
        if count == 0:
            check_frame_size(frame, source.describe(0))
            if mask.shape != frame.shape[:2]:
                raise InputError(f'first mask is {mask.shape[1]}x{mask.shape[0]} but the '
                                 f'frames of {source.name} are {frame.shape[1]}x'
                                 f'{frame.shape[0]}: {mask_name}')
            pred = segmenter.step(frame, mask)
        else:
            if frame.shape[:2] != mask.shape:
                raise InputError(f'{source.describe(count)} is {frame.shape[1]}x'
                                 f'{frame.shape[0]} but the video started at '
                                 f'{mask.shape[1]}x{mask.shape[0]} (frames of mixed sizes)')
            pred = segmenter.step(frame)
        count += 1
        yield frame, pred
    if count == 0:
        raise InputError(f'no frame in {source.name}')


def with_next(source: Iterable[np.ndarray]
              ) -> Iterator[Tuple[np.ndarray, Optional[np.ndarray]]]:
    """Each frame of ``source`` with the one after it (``None`` after the last): a
    one-frame look-ahead, so the next frame's work can start early (:func:`announce`).

    Only a source whose ``stable_frames`` is true (:class:`FrameSource`) is read ahead;
    for others (e.g. a plain iterator, which may refill one buffer) the next frame is
    always ``None``.
    """
    frames = iter(source)
    if not getattr(source, 'stable_frames', False):
        yield from ((frame, None) for frame in frames)
        return
    current = next(frames, None)
    while current is not None:
        upcoming = next(frames, None)
        yield current, upcoming
        current = upcoming


def announce(segmenter: StreamingSegmenter, frame: Optional[np.ndarray]) -> None:
    """Tell a :class:`~shls.structures.segmenter.PrefetchingSegmenter` which frame comes
    next (a no-op for other segmenters and for ``None``)."""
    if frame is not None and isinstance(segmenter, PrefetchingSegmenter):
        segmenter.prefetch(frame)
