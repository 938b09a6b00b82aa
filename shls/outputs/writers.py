"""Writers of predicted masks, one video folder each, in the formats of
:mod:`shls.datasets.mask_formats` (which reads them back).

Every writer writes into a folder that :func:`~shls.outputs.folders.atomic_folder` moves
into place when the video is done, and :meth:`MaskWriter.close` adds the ``.complete``
marker last (format, frame count and an id of the run's setup, see
:mod:`shls.outputs.resume`), so a folder with a matching marker holds the whole video
made the same way (resume skips it).
"""
import json
import os.path as osp
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Tuple, Type

import cv2
import numpy as np

from shls.datasets.mask_formats import FORMATS, RLE_FILE, check_format
from shls.datasets.mask_io import atomic_write_bytes, write_palette_png
from shls.structures.ids import object_ids_in
from shls.visualization.palette import DAVIS_PALETTE
from .resume import COMPLETE_MARKER, completion_record

__all__ = ['FORMATS', 'OUTPUT_SUFFIXES', 'WRITERS', 'CocoRleWriter', 'MaskWriter',
           'PaletteWriter', 'PerObjectWriter', 'writer_class']


class MaskWriter(metaclass=ABCMeta):
    """Writes the predicted id maps of one video into ``folder``.

    Args:
        folder: The video's output folder (exists).
        palette: Colours of palette PNGs.
        run_id: Id of what made the masks (weights, settings), kept in the marker.
    """

    name: str = ''
    #: File types the folder holds (for :func:`~shls.outputs.folders.atomic_folder`).
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
        self.objects = sorted(set(self.objects) | set(object_ids_in(mask)))
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
        ids = object_ids_in(mask)
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
    check_format(fmt)
    return WRITERS[fmt]
