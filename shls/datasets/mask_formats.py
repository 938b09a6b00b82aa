"""Output formats of predicted masks, and their readers.

``palette``
    ``<stem>.png`` per frame: a palette PNG of object ids (DAVIS style).
``per-object``
    ``<stem>_<id>.png`` per frame and object known so far (``id`` zero-padded to 3
    digits): 8-bit 0/255 binary masks.
``coco-rle``
    ``masks.json``: ``{"format": "coco-rle", "height", "width", "frames": [{"name": stem,
    "objects": {"<id>": {"size": [h, w], "counts": "<COCO RLE>"}}}]}``, decodable with
    ``pycocotools.mask.decode``. Objects absent from a frame are left out of it.

The writers are in :mod:`shls.outputs.writers`.
"""
import glob
import json
import os.path as osp
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from shls.utils.errors import ConfigError, InputError, InputNotFoundError
from .mask_io import read_mask

FORMATS = ('palette', 'per-object', 'coco-rle')
RLE_FILE = 'masks.json'


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`FORMATS`.

    Raises:
        ValueError: An unknown format.
    """
    if fmt not in FORMATS:
        raise ConfigError(f'unknown mask format {fmt!r}; choose one of {", ".join(FORMATS)}')
    return fmt


def prediction_loader(folder: str, fmt: str = 'palette') -> Callable[[str], np.ndarray]:
    """A function mapping a frame stem to its predicted ``(H, W)`` uint8 id map.

    Args:
        folder: A video folder written by the writer of ``fmt``.
        fmt: One of :data:`FORMATS`.

    Raises:
        FileNotFoundError, ValueError: (when called) a missing or unreadable prediction.
    """
    check_format(fmt)
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
        raise InputNotFoundError(f'no per-object mask {stem}_<id>.png in {folder}')
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
            raise InputNotFoundError(f'frame {stem!r} is not in {self.path}')
        ids = np.zeros(self._shape, np.uint8)
        for obj, code in self._frames[stem].items():
            plane = rle.decode(dict(size=code['size'], counts=code['counts'].encode('ascii')))
            ids[plane > 0] = int(obj)
        return ids

    def _load(self) -> None:
        if not osp.isfile(self.path):
            raise InputNotFoundError(f'prediction file not found: {self.path}')
        try:
            with open(self.path, encoding='utf-8') as f:
                doc = json.load(f)
            self._shape = (int(doc['height']), int(doc['width']))
            self._frames = {frame['name']: frame['objects'] for frame in doc['frames']}
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f'cannot read COCO RLE predictions {self.path}: {err}') from err
