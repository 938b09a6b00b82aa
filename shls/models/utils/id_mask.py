"""Validation of object-id masks given to the streaming segmenters."""
from typing import Tuple

import numpy as np

from shls.structures.ids import VOID_ID
from shls.utils.errors import InputError


def check_id_mask(mask: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """A mask of the frame's ``shape`` holding ids ``0..255``, as uint8.

    Raises:
        ValueError: Another shape, a non-integer dtype or ids outside ``0..255``.
    """
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise InputError(f'mask shape {mask.shape} differs from the frame shape {tuple(shape)}')
    if not (np.issubdtype(mask.dtype, np.integer) or mask.dtype == bool):
        raise InputError(f'mask must hold integer ids, got dtype {mask.dtype}')
    if mask.size and (mask.min() < 0 or mask.max() > VOID_ID):
        raise InputError(f'mask ids must be in 0..{VOID_ID} (255 = void), got '
                         f'{mask.min()}..{mask.max()}')
    return mask.astype(np.uint8)
