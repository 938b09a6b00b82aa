"""Lazy frame sources for inference: a folder of images, a video file, or arrays.

Each source is checked when it is opened (an empty folder, a video that cannot be opened
or decodes no frame is a one-line ``FileNotFoundError`` / ``ValueError``), so callers
fail before they create any output; frames are then read one at a time, so a video of
any length streams.
"""
import os
import os.path as osp
from abc import ABCMeta, abstractmethod
from typing import Iterable, Iterator, List, Optional, Sequence, Union

import cv2
import numpy as np

from shls.datasets.davis import FRAME_EXTENSIONS, read_frame
from shls.datasets.frame_order import natural_key, sort_frame_names  # noqa: F401
from shls.utils.errors import InputError, InputNotFoundError
from shls.utils.fs import opencv_readable

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')
#: Smallest frame side: video encoders (and the overlay) need at least 2x2 pixels.
MIN_FRAME_SIDE = 2
FrameInput = Union[str, os.PathLike, Iterable[np.ndarray]]


def list_frame_files(folder: str) -> List[str]:
    """Image files of ``folder`` in frame order (:mod:`shls.datasets.frame_order`).

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ValueError: It holds no ``.jpg`` / ``.jpeg`` / ``.png`` file, or two frame names
            collide or sort ambiguously.
    """
    if not osp.isdir(folder):
        raise InputNotFoundError(f'frame folder not found: {folder}')
    names = [n for n in os.listdir(folder) if n.lower().endswith(FRAME_EXTENSIONS)]
    if not names:
        raise InputError(f'no frame ({"/".join(FRAME_EXTENSIONS)}) in folder {folder}')
    return [osp.join(folder, n) for n in sort_frame_names(names, folder)]


def check_frame_size(frame: np.ndarray, where: str) -> None:
    """Raise unless ``frame`` is at least ``MIN_FRAME_SIDE`` pixels in each direction.

    Args:
        frame: ``(H, W, ...)`` array.
        where: The frame for the message (its file).

    Raises:
        ValueError: One line naming ``where`` and the size.
    """
    height, width = frame.shape[:2]
    if min(height, width) < MIN_FRAME_SIDE:
        raise InputError(f'{where} is {width}x{height}: frames must be at least '
                         f'{MIN_FRAME_SIDE}x{MIN_FRAME_SIDE} pixels')


class FrameSource(metaclass=ABCMeta):
    """Base class: iterate RGB ``uint8`` frames; ``names`` label the outputs.

    Attributes:
        name: Human-readable name of the source (path or ``'<arrays>'``).
        fps: Frame rate to write an overlay video with.
    """

    name: str = '<frames>'
    fps: float = 24.0
    #: Every frame is an array of its own that nobody writes to later, so a loop may read
    #: one frame ahead (see :func:`~shls.apis.streaming.with_next`). False for a plain
    #: iterator, which may refill one buffer.
    stable_frames: bool = True

    @abstractmethod
    def __iter__(self) -> Iterator[np.ndarray]:
        """Yield the frames in order."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of frames (a video container's count may be approximate)."""

    def frame_name(self, index: int) -> str:
        """Output file stem of frame ``index``."""
        return f'{index:05d}'

    def describe(self, index: int) -> str:
        """Frame ``index`` for messages (its file where there is one)."""
        return f'frame {index} of {self.name}'


class FileListFrames(FrameSource):
    """Frames read from image files, in the given order; outputs named by file stem.

    Args:
        paths: Image files (``.jpg`` / ``.png`` ...), in temporal order.
        name: Name of the source for messages.
        fps: Frame rate for an overlay video.
    """

    def __init__(self, paths: Sequence[str], name: str = '<files>', fps: float = 24.0) -> None:
        if not paths:
            raise InputError(f'no frame file given for {name}')
        self.name = name
        self.paths = list(paths)
        self.fps = float(fps)

    def __iter__(self) -> Iterator[np.ndarray]:
        for path in self.paths:
            yield read_frame(path)

    def __len__(self) -> int:
        return len(self.paths)

    def frame_name(self, index: int) -> str:
        return osp.splitext(osp.basename(self.paths[index]))[0]

    def describe(self, index: int) -> str:
        return self.paths[index]


class FolderFrames(FileListFrames):
    """Frames read from a folder of images, in natural file-name order.

    Args:
        folder: Folder of ``.jpg`` / ``.jpeg`` / ``.png`` frames.
        fps: Frame rate for an overlay video.
    """

    def __init__(self, folder: str, fps: float = 24.0) -> None:
        super().__init__(list_frame_files(folder), folder, fps)


class VideoFileFrames(FrameSource):
    """Frames decoded from a video file with ``cv2.VideoCapture``.

    Opening checks that the file exists, opens, and decodes at least one frame.

    Args:
        path: Video file (``.mp4`` ...).
    """

    def __init__(self, path: str) -> None:
        if not osp.isfile(path):
            raise InputNotFoundError(f'video file not found: {path}')
        self.name = path
        capture = self._open()
        try:
            ok, _ = capture.read()
            fps = capture.get(cv2.CAP_PROP_FPS)
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        finally:
            capture.release()
        if not ok:
            raise InputError(f'video has no decodable frame: {path}')
        self.fps = float(fps) if fps and np.isfinite(fps) and fps > 0 else 24.0
        self._count = max(count, 1)

    def _open(self) -> cv2.VideoCapture:
        with opencv_readable(self.name) as path:  # OpenCV gets an ASCII path only
            capture = cv2.VideoCapture(path)
        if not capture.isOpened():
            capture.release()
            raise InputError(f'cannot open video (unknown format or corrupt file): {self.name}')
        return capture

    def __iter__(self) -> Iterator[np.ndarray]:
        capture = self._open()
        try:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    return
                yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        finally:
            capture.release()

    def __len__(self) -> int:
        return self._count


class ArrayFrames(FrameSource):
    """Frames from any iterable of ``(H, W, 3)`` arrays (consumed once if an iterator).

    Args:
        frames: The frames.
        fps: Frame rate for an overlay video.
    """

    def __init__(self, frames: Iterable[np.ndarray], fps: float = 24.0) -> None:
        self.name = '<arrays>'
        self.frames = frames
        self.fps = float(fps)
        self.stable_frames = isinstance(frames, (Sequence, np.ndarray))

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self.frames)

    def __len__(self) -> int:
        if not isinstance(self.frames, Sequence) and not isinstance(self.frames, np.ndarray):
            raise TypeError('the length of a frame iterator is unknown')
        return len(self.frames)


def open_frames(source: Union[FrameInput, FrameSource], fps: Optional[float] = None
                ) -> FrameSource:
    """Open a frame folder, a video file, or wrap an iterable of arrays.

    Args:
        source: Folder path, video path, :class:`FrameSource`, a list of frame files,
            or an iterable of arrays.
        fps: Frame rate for folders and arrays (a video file keeps its own).

    Returns:
        A :class:`FrameSource`.

    Raises:
        FileNotFoundError: The path does not exist.
        ValueError: Empty folder, unsupported file, or a video that cannot be decoded.
    """
    if isinstance(source, FrameSource):
        return source
    rate = 24.0 if fps is None else fps
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if osp.isdir(path):
            return FolderFrames(path, rate)
        if not osp.exists(path):
            raise InputNotFoundError(f'input not found (expected a frame folder or a video '
                                     f'file): {path}')
        if path.lower().endswith(VIDEO_EXTENSIONS):
            return VideoFileFrames(path)
        raise InputError(f'unsupported input {path}: expected a frame folder or a video '
                         f'({"/".join(VIDEO_EXTENSIONS)})')
    if isinstance(source, (list, tuple)) and source and all(
            isinstance(item, (str, os.PathLike)) for item in source):
        return FileListFrames([os.fspath(item) for item in source], fps=rate)
    return ArrayFrames(source, rate)
