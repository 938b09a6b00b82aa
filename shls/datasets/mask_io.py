"""Reading and writing of DAVIS-style object-id masks.

``read_mask`` returns a ``(H, W)`` uint8 map of object ids (0 = background, 255 = void)
whatever the PNG flavour:

* palette-indexed (mode ``P``, DAVIS-2017): the palette indices, as they are;
* single-channel (8-bit grayscale ``L``, or 16/32-bit ``I;16*`` / ``I`` whose values are
  all <= 255, otherwise a ``ValueError``): the *single-channel rule* below;
* 1-bit (mode ``1``): object 1 where set;
* RGB / opaque RGBA: every colour must be a DAVIS palette colour, mapped to its index;
  any other colour is a ``ValueError``.

The single-channel rule (:func:`gray_mask_kind`; training reads masks with the same
rule, see :mod:`shls.datasets.image_mask_folder`):

* ``binary``: the values are all in {0, 255} (DAVIS-2016): object 1 wherever the value
  is 255 (255 is *not* void here);
* ``ids``: besides 0 and 255, at most ``MAX_GRAY_IDS`` distinct values, all below
  ``SOFT_THRESHOLD`` (e.g. 1, 2, 3): the values are the object ids (255 = void);
* ``soft``: anything else (a 0/255 mask saved as JPEG, anti-aliased or feathered edges,
  GrabCut 0/128/255, a saliency map): one object where the value is >= ``SOFT_THRESHOLD``
  (128, the training threshold), with a one-line warning that says so. A soft edge never
  becomes dozens of objects.

Every failure is a one-line ``FileNotFoundError`` / ``ValueError`` that names the file.
``write_palette_png`` writes a palette PNG atomically (temporary file in the same folder,
then ``os.replace``, see ``atomic_write_bytes``), so a reader never sees a half-written mask.
"""
import contextlib
import io
import os
import os.path as osp
import tempfile
import warnings
from typing import Union

import numpy as np
from PIL import Image, UnidentifiedImageError

# Object-id conventions of every mask file (0 = background, 255 = void), re-exported here.
from shls.structures.ids import BACKGROUND, VOID_ID  # noqa: F401
from shls.utils.errors import InputError, InputNotFoundError

#: Single-channel masks: foreground threshold of soft masks (the training threshold).
SOFT_THRESHOLD = 128
#: Single-channel masks: most distinct ids (below ``SOFT_THRESHOLD``) read as object ids.
MAX_GRAY_IDS = 16

from shls.visualization.palette import DAVIS_PALETTE

PathLike = Union[str, os.PathLike]


def read_mask(path: PathLike) -> np.ndarray:
    """Read one annotation or prediction PNG as a map of object ids.

    Args:
        path: Image file (normally PNG).

    Returns:
        ``(H, W)`` uint8 object ids, 0 = background, 255 = void (see module docstring).

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is empty, truncated, not an image, or of an unsupported kind.
    """
    path = os.fspath(path)
    if not osp.isfile(path):
        raise InputNotFoundError(f'mask file not found: {path}')
    if osp.getsize(path) == 0:
        raise InputError(f'mask file is empty: {path}')
    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            array = np.array(img)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(f'cannot read mask {path}: {exc}') from exc
    return _to_ids(array, mode, path)


def _to_ids(array: np.ndarray, mode: str, path: str) -> np.ndarray:
    """Convert the decoded pixels of a mask of PIL ``mode`` to uint8 object ids."""
    if mode == 'P':
        return array.astype(np.uint8)
    if mode == '1':
        return array.astype(np.uint8)
    if mode in ('L', 'I', 'I;16', 'I;16B', 'I;16L', 'I;16N'):
        return _gray_to_ids(array, path)
    if mode in ('RGB', 'RGBA'):
        return _rgb_to_ids(array, path)
    raise InputError(f'unsupported mask image mode {mode!r}: {path}')


def gray_mask_kind(array: np.ndarray) -> str:
    """How a single-channel mask is read: ``'binary'``, ``'ids'`` or ``'soft'``.

    See the single-channel rule in the module docstring.

    Args:
        array: Mask values (any integer dtype, within 0..255).
    """
    values = np.unique(array)
    if np.isin(values, (BACKGROUND, VOID_ID)).all():
        return 'binary'
    ids = values[(values != BACKGROUND) & (values != VOID_ID)]
    if len(ids) <= MAX_GRAY_IDS and int(ids.max()) < SOFT_THRESHOLD:
        return 'ids'
    return 'soft'


class SoftMaskWarning(UserWarning):
    """A single-channel mask was not binary nor a few ids and was thresholded."""


def _gray_to_ids(array: np.ndarray, path: str) -> np.ndarray:
    """Grayscale values to ids by the single-channel rule (see the module docstring)."""
    if array.size and (array.min() < 0 or array.max() > 255):
        raise InputError(f'grayscale mask has values outside 0..255 '
                         f'(max {int(array.max())}): {path}')
    kind = gray_mask_kind(array)
    if kind == 'binary':
        return (array > 0).astype(np.uint8)
    if kind == 'ids':
        return array.astype(np.uint8)
    count = len(np.unique(array))
    warnings.warn(SoftMaskWarning(
        f'{path}: grayscale mask with {count} distinct values (JPEG artefacts, soft edges '
        f'or 0/128/255?) read as one object where value >= {SOFT_THRESHOLD}'))
    return (array >= SOFT_THRESHOLD).astype(np.uint8)


def _rgb_to_ids(array: np.ndarray, path: str) -> np.ndarray:
    """Map DAVIS palette colours to their indices; any other colour is an error."""
    if array.shape[-1] == 4:
        if (array[..., 3] != 255).any():
            raise InputError(f'RGBA mask with transparent pixels is not supported: {path}')
        array = array[..., :3]
    codes = _rgb_code(array.astype(np.int64))
    palette_codes = _rgb_code(DAVIS_PALETTE.astype(np.int64))
    order = np.argsort(palette_codes)
    pos = np.searchsorted(palette_codes[order], codes)
    pos = np.minimum(pos, len(order) - 1)
    known = palette_codes[order][pos] == codes
    if not known.all():
        r, g, b = array[~known][0]
        raise InputError(f'RGB mask has colour ({r}, {g}, {b}) that is not in the DAVIS '
                         f'palette: {path}')
    return order[pos].astype(np.uint8)


def _rgb_code(rgb: np.ndarray) -> np.ndarray:
    """Pack ``(..., 3)`` int RGB into one int per colour."""
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def write_palette_png(path: PathLike,
                      mask: np.ndarray,
                      palette: np.ndarray = DAVIS_PALETTE) -> None:
    """Write a ``(H, W)`` id map as a palette PNG, atomically.

    The image goes to a temporary file in the destination folder (created if needed),
    which then replaces ``path`` in one ``os.replace``; an existing file is overwritten.

    Args:
        path: Destination ``.png`` file.
        mask: ``(H, W)`` integer ids in 0..255.
        palette: ``(N, 3)`` uint8 colours, N <= 256.
    """
    path = os.fspath(path)
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'mask must be (H, W), got shape {mask.shape} for {path}')
    if mask.size and (mask.min() < 0 or mask.max() > 255):
        raise ValueError(f'mask ids must be in 0..255 for a palette PNG: {path}')
    palette = np.asarray(palette, dtype=np.uint8)
    if palette.ndim != 2 or palette.shape[1] != 3 or len(palette) > 256:
        raise ValueError(f'palette must be (N<=256, 3), got {palette.shape}')
    img = Image.fromarray(np.ascontiguousarray(mask, dtype=np.uint8))
    img.putpalette(palette.reshape(-1).tolist())
    buffer = io.BytesIO()
    img.save(buffer, format='PNG')
    atomic_write_bytes(path, buffer.getvalue())


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    The temporary file lives in the destination folder (created if needed) so the
    replacement is atomic; an existing ``path`` is overwritten, and the temporary file
    is removed if anything fails. The result gets mode 0o644.

    Args:
        path: Destination file.
        data: The complete file contents.
    """
    path = os.fspath(path)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
