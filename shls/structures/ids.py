"""The object-id conventions of every mask in shls (one definition for all layers).

Masks are ``uint8`` maps of object ids: 0 is the background, 1..254 are objects, and 255
marks void pixels (DAVIS-2017's "don't care" border), which are neither scored nor
memorised.
"""
from typing import List

import numpy as np

#: Background id.
BACKGROUND = 0
#: Void / ignored pixels.
VOID_ID = 255
#: Number of possible ids in a ``uint8`` mask.
NUM_LABEL_BINS = 256


def is_object_id(value: int) -> bool:
    """Whether ``value`` is an object id (1..254: neither background nor void)."""
    return BACKGROUND < int(value) < VOID_ID


def object_ids_in(mask: np.ndarray) -> List[int]:
    """The object ids present in ``mask``, ascending (background and void left out)."""
    return [int(k) for k in np.unique(np.asarray(mask)) if is_object_id(k)]
