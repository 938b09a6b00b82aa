"""Listing and reading still images with their object / saliency masks.

Two layouts are supported through the folder and suffix arguments:

* separate folders with matching stems: ``images/<stem>.jpg`` + ``masks/<stem>.png``
  (``img_dir='images', mask_dir='masks'``, the default);
* MSRA10K, images and masks side by side: ``Imgs/<stem>.jpg`` + ``Imgs/<stem>.png``
  (``img_dir='Imgs', mask_dir='Imgs', img_suffix='.jpg', mask_suffix='.png'``). When both
  folders are the same, files ending in ``mask_suffix`` are never listed as images.

Mask decoding (:func:`read_object_mask`):

* grayscale, by the single-channel rule that demo and test share
  (:func:`shls.datasets.mask_io.gray_mask_kind`): a mask of a few small ids (besides 0
  and 255, at most 16 values, all below 128) is indexed (each id an object, 255 void);
  any other (binary 0/255 or soft saliency 0..255): foreground is ``value >= threshold``
  (default 128, the threshold demo and test use for soft masks), then split into 4- or
  8-connected components, one object each, largest first. GrabCut masks (0/128/255)
  thus count their 128 "unknown" boundary band as foreground; ``threshold=129`` makes it
  background instead. 16-bit masks whose values are all <= 255 follow the same rule;
  others are compared on the 8-bit scale (value / 257); palette PNGs whose used colours
  are all gray are read as their gray levels.
* palette (indexed, "P" mode) PNGs using a non-gray colour, and RGB masks whose channels
  differ: every non-zero id / non-black colour is its own object (ids in
  ascending order); the DAVIS void id (``void_id``, 255) becomes background.
* objects smaller than ``min_object_area`` (a fraction of the image) become background.
"""
import copy
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from shls.structures.ids import VOID_ID
from shls.utils.errors import ConfigError, InputError
from .davis import is_truncated_jpeg
from .mask_io import gray_mask_kind

DEFAULT_IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


class DatasetError(InputError):
    """A dataset file is missing, unreadable or inconsistent (the message names it)."""


def read_rgb(path: str) -> np.ndarray:
    """Read an image file as ``(H, W, 3)`` uint8 RGB, ignoring EXIF orientation.

    EXIF orientation is ignored so that the pixel grid matches the mask file's.

    Raises:
        DatasetError: The file is missing or cannot be decoded.
    """
    flags = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    data = _read_bytes(path)
    if is_truncated_jpeg(data):
        raise DatasetError(f'cannot read image {path} (truncated JPEG: no end-of-image '
                           'marker)')
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags) if data else None
    if image is None:
        raise DatasetError(f'cannot read image {path} (missing or corrupt)')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _read_bytes(path: str) -> bytes:
    """The file's bytes, or ``b''`` when it is missing or unreadable."""
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return b''


def read_object_mask(path: str, threshold: int = 128, connectivity: int = 8,
                     min_object_area: float = 0.001, void_id: int = VOID_ID) -> np.ndarray:
    """Read a mask file as an object-label map (0 = background, 1..K objects).

    Args:
        path: Mask file (any format PIL reads; PNG in practice).
        threshold: Grayscale masks: foreground is ``value >= threshold``.
        connectivity: 4 or 8, for splitting a binary mask into objects.
        min_object_area: Objects covering less than this fraction of the image become
            background.
        void_id: Id that means "void" in indexed masks; mapped to background.

    Returns:
        ``(H, W)`` int32 labels with contiguous ids ``0..K``.

    Raises:
        DatasetError: The file is missing, corrupt or of an unsupported image mode.
    """
    values, indexed = _decode_mask(path)
    min_area = min_object_area * values.size
    if indexed:
        return _indexed_to_objects(values, min_area, void_id)
    return _binary_to_objects(values >= threshold, min_area, connectivity)


def _decode_mask(path: str) -> Tuple[np.ndarray, bool]:
    """Return ``(values, indexed)``: 8-bit-scale gray values, or object ids if indexed."""
    try:
        with Image.open(path) as img:
            img.load()
            mode, palette, array = img.mode, img.getpalette(), np.asarray(img)
    except (OSError, SyntaxError, UnidentifiedImageError) as err:
        raise DatasetError(f'cannot read mask {path} ({type(err).__name__}: {err})') from err
    if mode == 'P':
        return _decode_palette(array, palette)
    if mode == '1':
        return array.astype(np.uint8) * 255, False
    if mode in ('L', 'LA', 'I;16', 'I;16B', 'I;16L', 'I'):
        gray = array if array.ndim == 2 else array[..., 0]
        if gray.size and gray.max() > 255:  # 16-bit scale
            return gray.astype(np.float32) / 257.0, False
        return gray, gray_mask_kind(gray) == 'ids'

    if mode in ('RGB', 'RGBA'):
        return _decode_rgb(array[..., :3])
    raise DatasetError(f'unsupported mask image mode {mode!r} in {path}')


def _decode_palette(indices: np.ndarray, palette: Optional[List[int]]) -> Tuple[np.ndarray, bool]:
    """Palette PNG: if every used colour is gray, the gray levels form a grayscale mask;
    otherwise (e.g. the DAVIS palette) the indices are object ids."""
    if palette is not None:
        colours = np.asarray(palette, np.int64).reshape(-1, 3)
        colours = np.concatenate([colours, np.zeros((256 - len(colours), 3), np.int64)])
        used = colours[np.unique(indices)]
        if np.all(used == used[:, :1]):
            return colours[indices, 0].astype(np.uint8), False
    return indices, True


def _decode_rgb(rgb: np.ndarray) -> Tuple[np.ndarray, bool]:
    """RGB mask: equal channels → grayscale; otherwise each colour is an object id."""
    if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 0], rgb[..., 2]):
        return rgb[..., 0], False
    packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) \
        | rgb[..., 2]
    colours, ids = np.unique(packed, return_inverse=True)
    ids = ids.reshape(packed.shape)
    if colours[0] != 0:  # no black pixel: no background colour, ids start at 1
        ids = ids + 1
    return ids, True


def _indexed_to_objects(ids: np.ndarray, min_area: float, void_id: int) -> np.ndarray:
    """Each id is an object; void and small ids → 0; renumber ``1..K`` by id."""
    ids = ids.astype(np.int64)
    ids[ids == void_id] = 0
    counts = np.bincount(ids.ravel())
    keep = (counts >= min_area) & (counts > 0)
    keep[0] = False
    new_id = np.zeros(len(counts), np.int32)
    new_id[keep] = np.arange(1, int(keep.sum()) + 1)
    return new_id[ids]


def _binary_to_objects(foreground: np.ndarray, min_area: float,
                       connectivity: int) -> np.ndarray:
    """Connected components of ``foreground``, largest first; small ones → 0."""
    if connectivity not in (4, 8):
        raise ConfigError(f'connectivity must be 4 or 8, got {connectivity}')
    num, comp, stats, _ = cv2.connectedComponentsWithStats(
        foreground.astype(np.uint8), connectivity=connectivity, ltype=cv2.CV_32S)
    areas = stats[1:, cv2.CC_STAT_AREA]
    order = np.argsort(-areas, kind='stable')
    order = order[areas[order] >= min_area]
    new_id = np.zeros(num, np.int32)
    new_id[order + 1] = np.arange(1, len(order) + 1)
    return new_id[comp]


def list_images(img_dir: str,
                suffixes: Union[str, Sequence[str]] = DEFAULT_IMG_SUFFIXES,
                exclude_suffix: Optional[str] = None) -> Dict[str, str]:
    """``{stem: path}`` of the images in a folder, sorted by stem.

    Args:
        img_dir: The folder (not searched recursively).
        suffixes: Image file suffix(es), case-insensitive.
        exclude_suffix: Files ending in this suffix are not images (masks side by side).

    Raises:
        DatasetError: The folder does not exist, holds no image, or two images share a
            stem.
    """
    if not osp.isdir(img_dir):
        raise DatasetError(f'image folder {img_dir} does not exist')
    suffixes = tuple(s.lower() for s in _as_tuple(suffixes))
    paths: Dict[str, str] = {}
    for name in sorted(os.listdir(img_dir)):
        lower = name.lower()
        if not lower.endswith(suffixes):
            continue
        if exclude_suffix is not None and lower.endswith(exclude_suffix.lower()):
            continue
        stem = osp.splitext(name)[0]
        if stem in paths:
            raise DatasetError(f'two images share the stem {stem!r}: {paths[stem]} and '
                               f'{osp.join(img_dir, name)}')
        paths[stem] = osp.join(img_dir, name)
    if not paths:
        raise DatasetError(f'no images ending in {"/".join(suffixes)} in {img_dir}')
    return paths


def _as_tuple(suffix: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    return (suffix, ) if isinstance(suffix, str) else tuple(suffix)


class ImageMaskFolder:
    """Still images and their masks, matched by file stem.

    Missing folders, an empty image folder, images without a mask and duplicate stems
    are reported at construction; unreadable files and size mismatches when loading.
    Every error is a one-line :class:`DatasetError` naming the file.

    Args:
        img_dir: Folder of images.
        mask_dir: Folder of masks (may equal ``img_dir``, MSRA10K layout).
        img_suffix: Image file suffix(es), case-insensitive.
        mask_suffix: Mask file suffix; ``<mask_dir>/<stem><mask_suffix>``.
        mask_threshold: Grayscale masks: foreground is ``value >= mask_threshold``.
        connectivity: 4 or 8, to split binary masks into objects.
        min_object_area: Objects below this fraction of the image become background.
        void_id: Void id of indexed masks, mapped to background.
        stems: Only these stems (in the given order); an unknown stem is an error.
    """

    def __init__(self, img_dir: str, mask_dir: str,
                 img_suffix: Union[str, Sequence[str]] = DEFAULT_IMG_SUFFIXES,
                 mask_suffix: str = '.png', mask_threshold: int = 128, connectivity: int = 8,
                 min_object_area: float = 0.001, void_id: int = VOID_ID,
                 stems: Optional[Sequence[str]] = None) -> None:
        self.img_dir = img_dir
        self.mask_dir = mask_dir
        self.img_suffix = tuple(s.lower() for s in _as_tuple(img_suffix))
        self.mask_suffix = mask_suffix
        self.mask_threshold = mask_threshold
        self.connectivity = connectivity
        self.min_object_area = min_object_area
        self.void_id = void_id
        self.img_paths = self._list_images()
        if stems is not None:
            self.img_paths = self._select(stems)
        self.stems = list(self.img_paths)
        self._check_masks_exist()

    def __len__(self) -> int:
        return len(self.stems)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(img_dir={self.img_dir!r}, mask_dir={self.mask_dir!r}, '
                f'num_images={len(self)})')

    def subset(self, stems: Sequence[str]) -> 'ImageMaskFolder':
        """A copy restricted to ``stems`` (in that order); an unknown stem is an error."""
        new = copy.copy(self)
        new.img_paths = self._select(stems)
        new.stems = list(new.img_paths)
        return new

    def mask_path(self, stem: str) -> str:
        """Path of the mask of ``stem``."""
        return osp.join(self.mask_dir, stem + self.mask_suffix)

    def load_image(self, index: int) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB image ``index``."""
        return read_rgb(self.img_paths[self.stems[index]])

    def load_mask(self, index: int) -> np.ndarray:
        """``(H, W)`` int32 object labels ``0..K`` of image ``index``."""
        return read_object_mask(self.mask_path(self.stems[index]), self.mask_threshold,
                                self.connectivity, self.min_object_area, self.void_id)

    def load(self, index: int) -> Tuple[np.ndarray, np.ndarray]:
        """Image and object labels of ``index``, checked to have the same size."""
        image, labels = self.load_image(index), self.load_mask(index)
        if image.shape[:2] != labels.shape:
            stem = self.stems[index]
            raise DatasetError(
                f'mask {self.mask_path(stem)} is {labels.shape[1]}x{labels.shape[0]} but image '
                f'{self.img_paths[stem]} is {image.shape[1]}x{image.shape[0]}')
        return image, labels

    def _list_images(self) -> dict:
        """``{stem: path}`` of all images, sorted by stem."""
        if not osp.isdir(self.img_dir):
            raise DatasetError(f'image folder {self.img_dir} does not exist')
        if not osp.isdir(self.mask_dir):
            raise DatasetError(f'mask folder {self.mask_dir} does not exist')
        same_dir = osp.realpath(self.img_dir) == osp.realpath(self.mask_dir)
        return list_images(self.img_dir, self.img_suffix,
                           exclude_suffix=self.mask_suffix if same_dir else None)

    def _select(self, stems: Sequence[str]) -> dict:
        unknown = [s for s in stems if s not in self.img_paths]
        if unknown:
            raise DatasetError(f'image {unknown[0]!r} not found in {self.img_dir} '
                               f'({len(unknown)} unknown stems)')
        if not stems:
            raise DatasetError(f'empty stem selection for {self.img_dir}')
        return {s: self.img_paths[s] for s in stems}

    def _check_masks_exist(self) -> None:
        missing = [s for s in self.stems if not osp.isfile(self.mask_path(s))]
        if missing:
            stem = missing[0]
            raise DatasetError(f'no mask for image {self.img_paths[stem]} (expected '
                               f'{self.mask_path(stem)}; {len(missing)} images lack masks)')
