"""Clips the web page works on: the bundled one, or an upload decoded into a temp folder."""
import os
import os.path as osp
import shutil
import tempfile
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import cv2
import numpy as np

from shls.apis import open_frames
from shls.apis.frame_source import list_frame_files
from shls.datasets.davis import FRAME_EXTENSIONS
from shls.utils.errors import InputError

#: Largest upload accepted (bytes), and the most frames a clip may have.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_FRAMES = 1000
#: Longest side of uploaded frames (larger ones are scaled down on decoding).
MAX_SIDE = 1280


@dataclass
class Clip:
    """A video as frame files in a folder, with the prompts drawn on it.

    Attributes:
        id: Its id in the page.
        name: Shown name.
        frames_dir: Folder of the frames (``00000.jpg`` ... or the bundled clip's).
        num_frames / width / height / fps: The video.
        owned: Whether ``frames_dir`` is a temporary folder of this server.
        prompts: ``{frame: dict(mask=(H, W) uint8 ids, objects=[ids] or None)}``.
    """

    id: str
    name: str
    frames_dir: str
    num_frames: int
    width: int
    height: int
    fps: float
    owned: bool
    prompts: Dict[int, dict] = field(default_factory=dict)

    def frame_path(self, index: int) -> str:
        """The file of frame ``index``."""
        return self.paths()[index]

    def paths(self) -> List[str]:
        """The frame files in order."""
        return list_frame_files(self.frames_dir)

    def describe(self) -> dict:
        """What the page needs to know."""
        return dict(clip=self.id, name=self.name, num_frames=self.num_frames,
                    width=self.width, height=self.height, fps=self.fps)


class ClipStore:
    """The clips of one server, their temporary folders under ``root``.

    Args:
        root: Folder of the temporary folders (created; only ``shls-webui-*`` entries
            of it are ever removed).
        keep: Clips kept; older uploads are deleted when more arrive.
    """

    def __init__(self, root: Optional[str] = None, keep: int = 8) -> None:
        self.root = root or tempfile.gettempdir()
        os.makedirs(self.root, exist_ok=True)
        self.keep = keep
        self._clips: Dict[str, Clip] = {}
        self._lock = threading.Lock()

    def get(self, clip_id: str) -> Clip:
        """The clip of an id (KeyError: unknown)."""
        with self._lock:
            if clip_id not in self._clips:
                raise KeyError(f'unknown clip {clip_id!r} (reload the page)')
            return self._clips[clip_id]

    def add_folder(self, folder: str, name: str, owned: bool = False) -> Clip:
        """A clip of a folder of frames (checked: readable, one size)."""
        source = open_frames(folder)
        first = next(iter(source), None)
        if first is None:
            raise InputError(f'no frame in {name}')
        fps = 24.0
        clip = Clip(uuid.uuid4().hex[:12], name, folder, len(source), first.shape[1],
                    first.shape[0], fps, owned)
        with self._lock:
            self._clips[clip.id] = clip
            self._evict()
        return clip

    def add_upload(self, stream, filename: str) -> Clip:
        """Decode an uploaded mp4 (any video FFmpeg reads) or zip of frames.

        Raises:
            ValueError: Not a video, a zip without image frames, too many frames, frames
                of mixed sizes. The temporary folder is removed first.
        """
        name = osp.basename(filename or 'upload') or 'upload'
        work = tempfile.mkdtemp(prefix='shls-webui-', dir=self.root)
        try:
            raw = osp.join(work, 'upload' + osp.splitext(name)[1].lower()[:8])
            stream.save(raw)
            frames_dir = osp.join(work, 'frames')
            os.makedirs(frames_dir)
            if zipfile.is_zipfile(raw):
                count, fps = unzip_frames(raw, frames_dir, name), 24.0
            else:
                count, fps = decode_video(raw, frames_dir, name)
            os.remove(raw)
            clip = self.add_folder(frames_dir, name, owned=True)
            clip.fps = fps
            return clip
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

    def _evict(self) -> None:
        owned = [c for c in self._clips.values() if c.owned]
        for clip in owned[:max(0, len(owned) - self.keep)]:
            del self._clips[clip.id]
            remove_clip_folder(clip)

    def close(self) -> None:
        """Remove every temporary folder."""
        with self._lock:
            for clip in self._clips.values():
                if clip.owned:
                    remove_clip_folder(clip)
            self._clips.clear()


def remove_clip_folder(clip: Clip) -> None:
    """Remove an uploaded clip's temporary folder (the parent of its frames)."""
    shutil.rmtree(osp.dirname(clip.frames_dir), ignore_errors=True)


def decode_video(path: str, out_dir: str, name: str) -> tuple:
    """Frames of a video file as ``out_dir/00000.jpg`` ...; ``(count, fps)``.

    Raises:
        ValueError: Not a video (no frame decodes), or more than :data:`MAX_FRAMES`.
    """
    capture = cv2.VideoCapture(path)
    count = 0
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) if capture.isOpened() else 0.0
        while capture.isOpened():
            ok, bgr = capture.read()
            if not ok:
                break
            if count >= MAX_FRAMES:
                raise InputError(f'{name} has more than {MAX_FRAMES} frames: cut it shorter')
            cv2.imwrite(osp.join(out_dir, f'{count:05d}.jpg'), shrink(bgr),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
            count += 1
    finally:
        capture.release()
    if count == 0:
        raise InputError(f'{name} is not a video (no frame could be decoded): upload an mp4 '
                         'or a zip of frames')
    return count, (fps if 1 <= fps <= 240 else 24.0)


def unzip_frames(path: str, out_dir: str, name: str) -> int:
    """The image frames of a zip into ``out_dir`` (flat, in name order); their count.

    Entries are read by name only (no path from the zip is ever created), images are
    decoded and written anew.

    Raises:
        ValueError: No image frame in the zip, too many, or unreadable ones.
    """
    from shls.apis.frame_source import natural_key
    with zipfile.ZipFile(path) as archive:
        entries = [i for i in archive.infolist() if not i.is_dir()
                   and osp.splitext(i.filename)[1].lower() in FRAME_EXTENSIONS
                   and not osp.basename(i.filename).startswith('.')]
        if not entries:
            raise InputError(f'{name} holds no image frames (.jpg / .png): upload a zip of '
                             'frames or an mp4')
        if len(entries) > MAX_FRAMES:
            raise InputError(f'{name} has more than {MAX_FRAMES} frames')
        entries.sort(key=lambda i: natural_key(osp.basename(i.filename)))
        for index, info in enumerate(entries):
            data = np.frombuffer(archive.read(info), np.uint8)
            bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
            if bgr is None:
                raise InputError(f'{name}: {info.filename} is not a readable image')
            cv2.imwrite(osp.join(out_dir, f'{index:05d}.jpg'), shrink(bgr),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
    return len(entries)


def shrink(bgr: np.ndarray) -> np.ndarray:
    """A frame with its longer side at most :data:`MAX_SIDE` (area-resized)."""
    scale = MAX_SIDE / max(bgr.shape[:2])
    if scale >= 1:
        return bgr
    size = (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
