"""H.264 MP4 files that browsers play, through PyAV (FFmpeg with libx264)."""
from fractions import Fraction
from typing import Optional

import numpy as np


def h264_available() -> bool:
    """Whether PyAV is installed with an H.264 encoder."""
    try:
        import av
        av.codec.Codec('libx264', 'w')
    except Exception:  # noqa: BLE001 (no PyAV, or an FFmpeg build without libx264)
        return False
    return True


class H264Writer:
    """Append RGB frames to an H.264 (yuv420p, ``+faststart``) MP4.

    Odd frame sides are padded by one pixel (4:2:0 needs even sides).

    Args:
        path: Output ``.mp4``.
        fps: Frame rate.
        width: Frame width.
        height: Frame height.
        crf: x264 quality (lower = better, 23 = FFmpeg's default).
    """

    def __init__(self, path: str, fps: float, width: int, height: int, crf: int = 23) -> None:
        import av
        self.width, self.height = width, height
        self._container = av.open(path, mode='w', options={'movflags': '+faststart'})
        rate = Fraction(fps).limit_denominator(1001)
        self._stream = self._container.add_stream('libx264', rate=rate)
        self._stream.width = width + width % 2
        self._stream.height = height + height % 2
        self._stream.pix_fmt = 'yuv420p'
        self._stream.options = {'crf': str(crf), 'preset': 'veryfast'}
        self._av = av

    def write(self, rgb: np.ndarray) -> None:
        """Append one ``(H, W, 3)`` uint8 RGB frame of the writer's size."""
        pad_h, pad_w = self.height % 2, self.width % 2
        if pad_h or pad_w:
            rgb = np.pad(rgb, ((0, pad_h), (0, pad_w), (0, 0)), mode='edge')
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format='rgb24')
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def release(self) -> None:
        """Flush the encoder and close the file."""
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container: Optional[object] = None
