"""Output formats of predicted masks: writers (one video folder each) and readers.

``palette``
    ``<stem>.png`` per frame: a palette PNG of object ids (DAVIS style).
``per-object``
    ``<stem>_<id>.png`` per frame and object known so far (``id`` zero-padded to 3
    digits): 8-bit 0/255 binary masks.
``coco-rle``
    ``masks.json``: ``{"format": "coco-rle", "height", "width", "frames": [{"name": stem,
    "objects": {"<id>": {"size": [h, w], "counts": "<COCO RLE>"}}}]}``, decodable with
    ``pycocotools.mask.decode``. Objects absent from a frame are left out of it.

Every writer writes into a folder that :func:`shls.apis.atomic_folder` moves into place
when the video is done, and :meth:`MaskWriter.close` adds the ``.complete`` marker last
(format, frame count and an id of the run's setup), so a folder with a matching marker
holds the whole video made the same way (resume skips it).
"""
import glob
import json
import os.path as osp
from abc import ABCMeta, abstractmethod
from typing import Callable, Dict, List, Optional, Tuple, Type

import cv2
import numpy as np

from shls.visualization.palette import DAVIS_PALETTE
from .mask_io import BACKGROUND, VOID_ID, atomic_write_bytes, read_mask, write_palette_png

FORMATS = ('palette', 'per-object', 'coco-rle')
COMPLETE_MARKER = '.complete'
RLE_FILE = 'masks.json'


class MaskWriter(metaclass=ABCMeta):
    """Writes the predicted id maps of one video into ``folder``.

    Args:
        folder: The video's output folder (exists).
        palette: Colours of palette PNGs.
        run_id: Id of what made the masks (weights, settings), kept in the marker.
    """

    name: str = ''
    #: File types the folder holds (for :func:`shls.apis.atomic_folder`).
    suffixes: Tuple[str, ...] = ('.png', COMPLETE_MARKER)

    def __init__(self, folder: str, palette: np.ndarray = DAVIS_PALETTE,
                 run_id: str = '') -> None:
        self.folder = folder
        self.palette = palette
        self.run_id = run_id
        self.num_frames = 0

    @abstractmethod
    def _write(self, stem: str, mask: np.ndarray) -> None:
        """Write one ``(H, W)`` uint8 id map."""

    def write(self, stem: str, mask: np.ndarray) -> None:
        """Write the id map of the frame named ``stem``."""
        self._write(stem, np.asarray(mask, dtype=np.uint8))
        self.num_frames += 1

    def close(self) -> None:
        """Finish the video: flush what is buffered, then write the completion marker."""
        record = completion_record(self.name, self.num_frames, self.run_id)
        atomic_write_bytes(osp.join(self.folder, COMPLETE_MARKER), json.dumps(record).encode())


class PaletteWriter(MaskWriter):
    """``<stem>.png`` palette PNGs of object ids."""

    name = 'palette'

    def _write(self, stem: str, mask: np.ndarray) -> None:
        write_palette_png(osp.join(self.folder, f'{stem}.png'), mask, self.palette)


class PerObjectWriter(MaskWriter):
    """``<stem>_<id>.png`` 0/255 masks of every object seen so far in the video."""

    name = 'per-object'

    def __init__(self, folder: str, palette: np.ndarray = DAVIS_PALETTE,
                 run_id: str = '') -> None:
        super().__init__(folder, palette, run_id)
        self.objects: List[int] = []

    def _write(self, stem: str, mask: np.ndarray) -> None:
        present = np.unique(mask)
        new = present[(present != BACKGROUND) & (present != VOID_ID)].tolist()
        self.objects = sorted(set(self.objects) | set(new))
        if not self.objects:
            return
        binary = (mask[None] == np.asarray(self.objects, np.uint8)[:, None, None])
        for obj, plane in zip(self.objects, binary.astype(np.uint8) * 255):
            ok, png = cv2.imencode('.png', plane)
            if not ok:
                raise ValueError(f'cannot encode mask {stem}_{obj:03d}.png')
            atomic_write_bytes(osp.join(self.folder, f'{stem}_{obj:03d}.png'), png.tobytes())


class CocoRleWriter(MaskWriter):
    """One ``masks.json`` with the COCO RLE of every object of every frame."""

    name = 'coco-rle'
    suffixes = ('.json', COMPLETE_MARKER)

    def __init__(self, folder: str, palette: np.ndarray = DAVIS_PALETTE,
                 run_id: str = '') -> None:
        super().__init__(folder, palette, run_id)
        self.frames: List[dict] = []
        self.shape: Optional[Tuple[int, int]] = None

    def _write(self, stem: str, mask: np.ndarray) -> None:
        from pycocotools import mask as rle
        self.shape = self.shape or mask.shape
        ids = [int(i) for i in np.unique(mask) if i not in (BACKGROUND, VOID_ID)]
        planes = mask[..., None] == np.asarray(ids, np.uint8)  # (H, W, K)
        planes = np.asfortranarray(planes.astype(np.uint8))
        codes = rle.encode(planes) if ids else []
        objects = {str(i): dict(size=[int(s) for s in code['size']],
                                counts=code['counts'].decode('ascii'))
                   for i, code in zip(ids, codes)}
        self.frames.append(dict(name=stem, objects=objects))

    def close(self) -> None:
        height, width = self.shape or (0, 0)
        doc = dict(format='coco-rle', height=height, width=width, frames=self.frames)
        atomic_write_bytes(osp.join(self.folder, RLE_FILE), json.dumps(doc).encode())
        super().close()


WRITERS: Dict[str, Type[MaskWriter]] = {
    cls.name: cls for cls in (PaletteWriter, PerObjectWriter, CocoRleWriter)}


#: Every file type of every format: an earlier output in any format may be replaced.
OUTPUT_SUFFIXES = tuple(sorted({suffix for cls in WRITERS.values() for suffix in cls.suffixes}))


def writer_class(fmt: str) -> Type[MaskWriter]:
    """The writer of format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in WRITERS:
        raise ValueError(f'unknown mask format {fmt!r}; choose one of {", ".join(FORMATS)}')
    return WRITERS[fmt]


def completion_record(fmt: str, num_frames: int, run_id: str = '') -> dict:
    """What the ``.complete`` marker of a finished video holds."""
    return dict(format=fmt, num_frames=num_frames, run=run_id)


def is_complete(folder: str, fmt: str, num_frames: int, run_id: str = '') -> bool:
    """Whether ``folder`` holds a finished video of ``num_frames`` frames in ``fmt``, made
    by the run ``run_id``."""
    marker = osp.join(folder, COMPLETE_MARKER)
    if not osp.isfile(marker):
        return False
    try:
        with open(marker, encoding='utf-8') as f:
            record = json.load(f)
    except (OSError, ValueError):
        return False
    return record == completion_record(fmt, num_frames, run_id)


def prediction_loader(folder: str, fmt: str = 'palette') -> Callable[[str], np.ndarray]:
    """A function mapping a frame stem to its predicted ``(H, W)`` uint8 id map.

    Args:
        folder: A video folder written by the writer of ``fmt``.
        fmt: One of :data:`FORMATS`.

    Raises:
        FileNotFoundError, ValueError: (when called) a missing or unreadable prediction.
    """
    writer_class(fmt)
    if fmt == 'palette':
        return lambda stem: read_mask(osp.join(folder, f'{stem}.png'))
    if fmt == 'per-object':
        return lambda stem: _read_per_object(folder, stem)
    return _RleReader(osp.join(folder, RLE_FILE))


def _read_per_object(folder: str, stem: str) -> np.ndarray:
    """Combine ``<stem>_<id>.png`` binary masks into one id map (a later id wins)."""
    pattern = f'{glob.escape(stem)}_[0-9][0-9][0-9].png'
    paths = sorted(glob.glob(osp.join(glob.escape(folder), pattern)))
    if not paths:
        raise FileNotFoundError(f'no per-object mask {stem}_<id>.png in {folder}')
    ids = None
    for path in paths:
        plane = read_mask(path)
        ids = np.zeros_like(plane) if ids is None else ids
        ids[plane > 0] = int(osp.splitext(path)[0].rsplit('_', 1)[1])
    return ids


class _RleReader:
    """Frames of a ``masks.json`` (read on first use) as id maps."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._frames: Optional[Dict[str, dict]] = None
        self._shape: Tuple[int, int] = (0, 0)

    def __call__(self, stem: str) -> np.ndarray:
        from pycocotools import mask as rle
        if self._frames is None:
            self._load()
        if stem not in self._frames:
            raise FileNotFoundError(f'frame {stem!r} is not in {self.path}')
        ids = np.zeros(self._shape, np.uint8)
        for obj, code in self._frames[stem].items():
            plane = rle.decode(dict(size=code['size'], counts=code['counts'].encode('ascii')))
            ids[plane > 0] = int(obj)
        return ids

    def _load(self) -> None:
        if not osp.isfile(self.path):
            raise FileNotFoundError(f'prediction file not found: {self.path}')
        try:
            with open(self.path, encoding='utf-8') as f:
                doc = json.load(f)
            self._shape = (int(doc['height']), int(doc['width']))
            self._frames = {frame['name']: frame['objects'] for frame in doc['frames']}
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f'cannot read COCO RLE predictions {self.path}: {err}') from err
