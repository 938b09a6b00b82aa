"""Writing inference outputs: folders that appear whole, and overlay videos."""
import contextlib
import os
import os.path as osp
import shutil
import tempfile
from typing import Iterator, Sequence

import cv2
import numpy as np

from shls.datasets.mask_formats import COMPLETE_MARKER
from shls.utils.fs import check_writable, finish_opencv_write, opencv_writable
from shls.visualization.palette import DAVIS_PALETTE, overlay
from .h264_writer import H264Writer, h264_available

#: File types :func:`atomic_folder` may delete when it replaces an earlier output.
OUTPUT_SUFFIXES = ('.png', '.mp4')


def check_replaceable(path: str, suffixes: Sequence[str] = OUTPUT_SUFFIXES) -> None:
    """Raise unless ``path`` is absent, empty, or an earlier output of this project.

    An earlier output carries the ``.complete`` marker that the mask writers add last
    (:mod:`shls.datasets.mask_formats`) and holds only ``suffixes`` files (flat); any
    other folder (the user's frames or annotations, a half-copied folder) is never
    replaced.

    Raises:
        ValueError: ``path`` is a file, a folder without the marker, or a folder holding
            anything else.
    """
    if not osp.lexists(path):
        return
    if not osp.isdir(path) or osp.islink(path):
        raise ValueError(f'output path exists and is not a folder: {path}')
    entries = list(os.scandir(path))
    for entry in entries:
        if not (entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(
                tuple(suffixes))):
            raise ValueError(f'refusing to replace output folder {path}: it holds '
                             f'{entry.name!r}, which is not a {"/".join(suffixes)} output')
    if entries and not osp.isfile(osp.join(path, COMPLETE_MARKER)):
        raise ValueError(f'refusing to replace output folder {path}: it has no '
                         f'{COMPLETE_MARKER} marker, so shls did not write it (choose '
                         'another output folder, or delete it)')


@contextlib.contextmanager
def atomic_folder(path: str, suffixes: Sequence[str] = OUTPUT_SUFFIXES) -> Iterator[str]:
    """Build a folder under a temporary name beside ``path``; move it into place at the end.

    Readers never see a half-written folder: on an exception the temporary folder is
    removed (the previous ``path``, if any, stays untouched); on success an earlier
    ``path`` is replaced as a whole, so no stale file survives. Only a flat folder of
    ``suffixes`` files is ever replaced, and only where files can be created (both
    checked before any work). Temporary folders of ``path`` left by a killed run are
    removed first.

    Args:
        path: The final folder.
        suffixes: File types an earlier ``path`` may hold.

    Yields:
        The temporary folder to write into.
    """
    path = osp.abspath(path)
    check_writable(path)
    check_replaceable(path, suffixes)
    parent, name = osp.split(path)
    os.makedirs(parent, exist_ok=True)
    remove_leftovers(path)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f'.{name}.', suffix='.tmp')
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        _replace_folder(tmp, path, suffixes)
    except BaseException:
        if osp.isdir(tmp):
            shutil.rmtree(tmp)
        raise


def remove_leftovers(path: str) -> int:
    """Remove the temporary folders of ``path`` that a killed :func:`atomic_folder` left.

    Returns:
        How many were removed.
    """
    parent, name = osp.split(osp.abspath(path))
    if not osp.isdir(parent):
        return 0
    prefix = f'.{name}.'
    stale = [entry.path for entry in os.scandir(parent)
             if entry.name.startswith(prefix) and entry.name.endswith(('.tmp', '.old'))
             and entry.is_dir(follow_symlinks=False)]
    for folder in stale:
        shutil.rmtree(folder)
    return len(stale)


def _replace_folder(src: str, dst: str, suffixes: Sequence[str]) -> None:
    """Move ``src`` to ``dst``, replacing an earlier output folder there."""
    check_replaceable(dst, suffixes)
    if not osp.lexists(dst):
        os.replace(src, dst)
        return
    old = tempfile.mkdtemp(dir=osp.dirname(dst), prefix=f'.{osp.basename(dst)}.', suffix='.old')
    os.replace(dst, osp.join(old, 'previous'))
    os.replace(src, dst)
    shutil.rmtree(old)


class OverlayVideoWriter:
    """Write frames with their masks blended in as an mp4: H.264 through PyAV, which
    browsers play (OpenCV ``mp4v`` where PyAV has no H.264 encoder).

    The writer opens on the first frame (which fixes the size). Use as a context
    manager, or call :meth:`close`.

    Args:
        path: Output ``.mp4`` file.
        fps: Frame rate.
        alpha: Opacity of the mask colours.
        palette: ``(N, 3)`` uint8 colours indexed by object id.
    """

    def __init__(self, path: str, fps: float = 24.0, alpha: float = 0.5,
                 palette: np.ndarray = DAVIS_PALETTE) -> None:
        if not (np.isfinite(fps) and fps > 0):
            raise ValueError(f'overlay frame rate must be a finite number > 0, got {fps}: '
                             f'{path}')
        self.path = path
        self.fps = float(fps)
        self.alpha = alpha
        self.palette = palette
        self._writer = None  # an H264Writer, or a cv2.VideoWriter
        self._cv_path, self._cv_folder = opencv_writable(path)  # OpenCV gets ASCII only
        self.num_frames = 0

    def write(self, rgb: np.ndarray, mask: np.ndarray) -> None:
        """Append one ``(H, W, 3)`` uint8 RGB frame with its ``(H, W)`` id map."""
        if self._writer is None:
            self._open(rgb.shape[1], rgb.shape[0])
        blended = overlay(rgb, mask, self.alpha, self.palette)
        if isinstance(self._writer, H264Writer):
            self._writer.write(blended)
        else:
            self._writer.write(cv2.cvtColor(blended, cv2.COLOR_RGB2BGR))
        self.num_frames += 1

    def _open(self, width: int, height: int) -> None:
        if h264_available():
            self._writer = H264Writer(self._cv_path, self.fps, width, height)
            return
        fourcc = cv2.VideoWriter_fourcc(*'mp4v')
        writer = cv2.VideoWriter(self._cv_path, fourcc, self.fps, (width, height))
        if not writer.isOpened():
            raise ValueError(f'cannot write a {width}x{height} video at {self.fps} frames/s '
                             f'(OpenCV mp4v encoder): {self.path}')
        self._writer = writer

    def close(self, keep: bool = True) -> None:
        """Finish the file (``keep=False``: drop it, e.g. after an error)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        finish_opencv_write(self._cv_path, self._cv_folder, self.path, keep)
        self._cv_folder = None

    def __enter__(self) -> 'OverlayVideoWriter':
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(keep=exc_type is None)
