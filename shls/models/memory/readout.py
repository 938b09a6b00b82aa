"""The result of one memory read-out."""
from typing import NamedTuple

from torch import Tensor


class MemoryReadout(NamedTuple):
    """Per-superfeature class scores read from a :class:`MemoryBank`.

    Attributes:
        short: ``(M, C)`` short-term (KNN) scores ``S_c``.
        long: ``(M, C)`` long-term (centroid) scores ``L_c``.
        classes: ``(C,)`` int64 class ids, in column order (sorted; ``0`` = background).
        vote: ``(M,)`` int64 class id of the weighted KNN vote.
    """

    short: Tensor
    long: Tensor
    classes: Tensor
    vote: Tensor
