"""Pseudo-masks from an unsupervised saliency estimator, cached as PNG files.

A :class:`PseudoMaskStore` is a folder of ``<stem>.png`` masks (0 = background,
255 = object) made by *one* estimator from *one* image folder: a hidden
``.pseudo_masks.json`` records the estimator's ``repr`` (type and every parameter) and
the image folder's real path, so a folder made with other settings or for other images
(whose stems could collide) is reported instead of silently reused. Masks are written
atomically (temporary file in the folder, then ``os.replace``): a killed writer never
leaves a half-written PNG, and concurrent dataloader workers may compute the same mask
safely. ``tools/make_pseudo_masks.py`` fills such a folder ahead of training;
:class:`PseudoMaskFolder` (used by ``PseudoVideoDataset(mask_dir=None, saliency=...)``)
fills it on demand.
"""
import glob
import json
import os
import os.path as osp
import tempfile
import time
from typing import Callable, Optional, Sequence, Union

import cv2
import numpy as np

from shls.utils.errors import ConfigError, NotWritableError, UnknownNameError
from .image_mask_folder import (DEFAULT_IMG_SUFFIXES, DatasetError, ImageMaskFolder,
                                read_object_mask)
from .mask_io import atomic_write_bytes

META_NAME = '.pseudo_masks.json'
MASK_SUFFIX = '.png'

Estimator = Callable[[np.ndarray], np.ndarray]


def build_estimator(cfg: Union[dict, Estimator]) -> Estimator:
    """Build a saliency estimator config (``MODELS``); instances pass through."""
    if not isinstance(cfg, dict):
        return cfg
    import shls.models.saliency  # noqa: F401  (registers the estimators)
    from shls.registry import MODELS
    if 'type' not in cfg:
        raise ConfigError(f'saliency config needs a type, got {cfg}')
    if MODELS.get(cfg['type']) is None:
        raise UnknownNameError(f'unknown saliency estimator {cfg["type"]!r} (try '
                               'MBDContrastSaliency, MBDSaliency, RBDSaliency, ContrastSaliency)')
    return MODELS.build(cfg)


class PseudoMaskStore:
    """A folder of 0/255 PNG masks made by one estimator.

    Args:
        root: The folder; created if needed.
        estimator: Callable ``RGB uint8 (H, W, 3) -> uint8 (H, W)`` 0/255 mask.
        images_dir: The image folder the masks belong to.
        overwrite: Accept a folder recorded for another estimator or image folder (the
            record is replaced; the masks are kept unless the caller recomputes them).

    Raises:
        PermissionError: The folder cannot be created or written.
        DatasetError: The folder records another estimator or image folder (and not
            ``overwrite``).
    """

    def __init__(self, root: str, estimator: Estimator, images_dir: str,
                 overwrite: bool = False) -> None:
        self.root = str(root)
        self.estimator = estimator
        self.images_dir = osp.realpath(images_dir)
        self._make_writable_dir()
        self._check_record(overwrite)

    def path(self, stem: str) -> str:
        """Mask file of ``stem``."""
        return osp.join(self.root, stem + MASK_SUFFIX)

    def has(self, stem: str) -> bool:
        """Whether the mask of ``stem`` exists (complete: writes are atomic)."""
        return osp.isfile(self.path(stem))

    def compute(self, stem: str, image: np.ndarray) -> np.ndarray:
        """Estimate the mask of ``image``, store it as ``stem`` and return it."""
        mask = np.asarray(self.estimator(image))
        if mask.shape != image.shape[:2] or mask.dtype != np.uint8:
            raise DatasetError(f'saliency estimator returned {mask.dtype} {mask.shape} for '
                               f'{stem}, expected uint8 {image.shape[:2]}')
        ok, data = cv2.imencode(MASK_SUFFIX, mask)
        if not ok:
            raise DatasetError(f'cannot encode the mask of {stem} as PNG')
        atomic_write_bytes(self.path(stem), data.tobytes())
        return mask

    def remove_stale_temp_files(self, min_age_s: float = 60.0) -> int:
        """Delete temporary files of interrupted writes older than ``min_age_s``
        (younger ones may belong to a writer still running); returns how many."""
        removed = 0
        now = time.time()
        for tmp in glob.glob(osp.join(self.root, f'.*{MASK_SUFFIX}.*.tmp')):
            if now - osp.getmtime(tmp) >= min_age_s:
                os.unlink(tmp)
                removed += 1
        return removed

    def _make_writable_dir(self) -> None:
        try:
            os.makedirs(self.root, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=self.root, prefix='.write-test-')
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            raise NotWritableError(f'pseudo-mask folder {self.root} is not writable '
                                   f'({type(err).__name__}: {err.strerror or err})') from err

    def _check_record(self, overwrite: bool) -> None:
        record_path = osp.join(self.root, META_NAME)
        wanted = dict(estimator=repr(self.estimator), images=self.images_dir)
        if osp.isfile(record_path) and not overwrite:
            found = self._read_record(record_path)
            for key, what in (('estimator', 'made by'), ('images', 'made for the images in')):
                if found.get(key) != wanted[key]:
                    raise DatasetError(
                        f'{self.root} holds pseudo-masks {what} {found.get(key)}, not '
                        f'{wanted[key]}; use another folder, delete it, or overwrite')
            return
        found_masks = glob.glob(osp.join(glob.escape(self.root), '*' + MASK_SUFFIX))
        if found_masks and not osp.isfile(record_path):
            raise DatasetError(f'refusing to use {self.root} as a pseudo-mask folder: it holds '
                               f'{len(found_masks)} PNGs but no {META_NAME} record, so shls '
                               'did not make them (choose an empty folder)')
        data = json.dumps(dict(wanted, format='0/255 PNG, <stem>.png'), indent=1)
        atomic_write_bytes(record_path, data.encode('utf-8'))

    @staticmethod
    def _read_record(path: str) -> dict:
        with open(path, encoding='utf-8') as f:
            try:
                record = json.load(f)
            except json.JSONDecodeError as err:
                raise DatasetError(f'corrupt record {path} ({err}); delete it') from err
        if not isinstance(record, dict):
            raise DatasetError(f'corrupt record {path} (not a JSON object); delete it')
        return record


class PseudoMaskFolder(ImageMaskFolder):
    """:class:`ImageMaskFolder` of images whose masks come from a :class:`PseudoMaskStore`
    (read if present, otherwise estimated from the image, stored, then read).

    Args:
        img_dir: Folder of images.
        estimator: Saliency estimator or its config (``MODELS``).
        cache_dir: Folder of the stored masks.
        img_suffix: Image suffix(es).
        mask_threshold, connectivity, min_object_area, stems: As in
            :class:`ImageMaskFolder`.
    """

    def __init__(self, img_dir: str, estimator: Union[dict, Estimator], cache_dir: str,
                 img_suffix: Union[str, Sequence[str]] = DEFAULT_IMG_SUFFIXES,
                 mask_threshold: int = 128, connectivity: int = 8,
                 min_object_area: float = 0.001,
                 stems: Optional[Sequence[str]] = None) -> None:
        if not osp.isdir(img_dir):  # before the cache folder is created
            raise DatasetError(f'image folder {img_dir} does not exist')
        self.store = PseudoMaskStore(cache_dir, build_estimator(estimator), img_dir)
        super().__init__(img_dir, cache_dir, img_suffix=img_suffix, mask_suffix=MASK_SUFFIX,
                         mask_threshold=mask_threshold, connectivity=connectivity,
                         min_object_area=min_object_area, stems=stems)

    def load_mask(self, index: int) -> np.ndarray:
        """Object labels of image ``index``, estimating its mask first if needed."""
        stem = self.stems[index]
        if not self.store.has(stem):
            self.store.compute(stem, self.load_image(index))
        return super().load_mask(index)

    def load(self, index: int):
        """Image and object labels of ``index`` (the image is read once)."""
        stem = self.stems[index]
        image = self.load_image(index)
        if not self.store.has(stem):
            self.store.compute(stem, image)
        labels = read_object_mask(self.mask_path(stem), self.mask_threshold,
                                  self.connectivity, self.min_object_area, self.void_id)
        if labels.shape != image.shape[:2]:
            raise DatasetError(f'pseudo-mask {self.mask_path(stem)} does not match the size '
                               f'of {self.img_paths[stem]}; delete it to recompute')
        return image, labels

    def _check_masks_exist(self) -> None:
        """Missing masks are estimated on demand."""
