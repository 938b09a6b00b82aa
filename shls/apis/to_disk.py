"""Streaming one video's predictions into an output folder that appears whole.

The one pipeline behind :func:`shls.apis.segment_video_to_disk` and the test loop
(:class:`shls.engine.VOSTestLoop`): resume check, atomic output folder, mask writer,
optional overlay video, progress bar and timing. The callers decide what is predicted
(:mod:`shls.apis.streaming`, :mod:`shls.apis.prompts`) and what fingerprints the run.
Like :mod:`shls.apis.streaming`, this module builds no model and reads no config.
"""
import contextlib
import os.path as osp
import time
from typing import Callable, Iterable, NamedTuple, Optional, Tuple

import numpy as np
from tqdm import tqdm

from shls.outputs.folders import atomic_folder
from shls.outputs.overlay import OverlayVideoWriter
from shls.outputs.resume import is_complete
from shls.outputs.writers import OUTPUT_SUFFIXES, writer_class
from shls.visualization.palette import DAVIS_PALETTE

#: ``(frame, prediction)`` pairs of a video; the frame may be ``None`` without overlay.
Pairs = Iterable[Tuple[Optional[np.ndarray], np.ndarray]]


class DiskOutput(NamedTuple):
    """Where and how the masks of one video are written.

    Attributes:
        folder: The video's output folder (built whole, replacing an earlier output).
        fmt: Mask format: ``'palette'``, ``'per-object'`` or ``'coco-rle'``.
        palette: Colours of palette PNGs and of the overlay.
        run_id: Fingerprint of what makes the masks, kept in the ``.complete`` marker
            (``''``: none; a folder is then never skipped as done).
        suffixes: File types an earlier output folder at ``folder`` may hold.
        overlay: File name of an overlay video inside ``folder``, or ``None``.
        overlay_fps: Frame rate of the overlay video.
    """

    folder: str
    fmt: str = 'palette'
    palette: np.ndarray = DAVIS_PALETTE
    run_id: str = ''
    suffixes: Tuple[str, ...] = OUTPUT_SUFFIXES
    overlay: Optional[str] = None
    overlay_fps: Optional[float] = 24.0


class Progress(NamedTuple):
    """The tqdm bar over the frames of one video.

    Attributes:
        label: Its description.
        enabled: Show it.
        leave: Keep it on screen when the video is done.
    """

    label: str = 'segmenting'
    enabled: bool = True
    leave: bool = True


class Written(NamedTuple):
    """What :func:`stream_to_disk` did.

    Attributes:
        num_frames: Frames written (for a skipped video: its frames on disk).
        seconds: Wall time of reading, segmenting and writing (0 when skipped).
        skipped: The folder already held this video (same ``run_id``); nothing written.
    """

    num_frames: int
    seconds: float
    skipped: bool = False


def stream_to_disk(pairs: Callable[[], Pairs], frame_name: Callable[[int], str],
                   output: DiskOutput, total: Optional[int], progress: Progress = Progress(),
                   resume: bool = False) -> Written:
    """Write a video's predictions into ``output.folder``, all or nothing.

    The folder is built under a temporary name and moved into place at the end (see
    :func:`~shls.outputs.folders.atomic_folder`); the mask writer adds the ``.complete``
    marker (format, frame count, ``run_id``) last.

    Args:
        pairs: Called once the output folder is ready, returns the ``(frame,
            prediction)`` pairs (``(H, W)`` uint8 ids); not called for a skipped video.
        frame_name: File stem of the frame at an index.
        output: Where and how to write.
        total: Number of frames, ``None`` if unknown (for the bar and the resume check).
        progress: The progress bar.
        resume: Skip the video when the folder already holds it, complete, with the
            same ``run_id``.

    Returns:
        :class:`Written`.
    """
    writer_cls = writer_class(output.fmt)
    if resume and is_complete(output.folder, output.fmt, total or -1, output.run_id):
        return Written(total or 0, 0.0, skipped=True)
    start = time.perf_counter()
    with atomic_folder(output.folder, output.suffixes) as tmp:
        overlay = (OverlayVideoWriter(osp.join(tmp, output.overlay), output.overlay_fps,
                                      palette=output.palette)
                   if output.overlay else contextlib.nullcontext())
        masks = writer_cls(tmp, output.palette, run_id=output.run_id)
        bar = tqdm(total=total, disable=not progress.enabled, unit='frame',
                   desc=progress.label, leave=progress.leave)
        with overlay, bar:
            count = _write_frames(pairs(), frame_name, masks,
                                  overlay if output.overlay else None, bar)
        masks.close()
    return Written(count, time.perf_counter() - start)


def _write_frames(pairs: Pairs, frame_name: Callable[[int], str], masks,
                  overlay: Optional[OverlayVideoWriter], bar: tqdm) -> int:
    """Write every pair (masks, and the overlay when there is one); returns the count."""
    count = 0
    for frame, pred in pairs:
        masks.write(frame_name(count), pred)
        if overlay is not None:
            overlay.write(frame, pred)
        count += 1
        bar.update()
    return count
