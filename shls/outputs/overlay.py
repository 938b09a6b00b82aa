"""Overlay videos: frames with their masks blended in, as an MP4."""
import cv2
import numpy as np

from shls.utils.errors import ConfigError, OutputError
from shls.utils.fs import finish_opencv_write, opencv_writable
from shls.visualization.palette import DAVIS_PALETTE, overlay
from .h264_writer import H264Writer, h264_available


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
            raise ConfigError(f'overlay frame rate must be a finite number > 0, got {fps}: '
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
            raise OutputError(f'cannot write a {width}x{height} video at {self.fps} frames/s '
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
