"""Fewer page faults on a CPU: glibc's malloc told to keep freed memory for reuse.

Every frame allocates and frees the same large tensors (feature maps of a few MB,
similarities, filtered masks). By default glibc hands blocks above a dynamic threshold
back to the kernel when they are freed (``mmap`` / heap trimming), so the next frame
takes a page fault for every 4 kB page it touches again. At 480p on 2 cores that cost
~35 ms per frame of the shipped model (README, "Speed of the engines"). Raising the
``mmap`` threshold to its maximum (32 MB on 64-bit) and the trim threshold to 256 MB
keeps that memory in the process for reuse: the same work, fewer faults; the resident
memory stays near its peak instead of shrinking between frames.

Process-wide and Linux/glibc only (elsewhere nothing happens). ``SHLS_MALLOC_TUNING=0``
in the environment turns it off.
"""
import ctypes
import os
from typing import Optional

from mmengine.logging import print_log

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Largest mmap threshold glibc accepts on 64-bit systems.
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20
_applied: Optional[bool] = None


def _glibc() -> Optional[ctypes.CDLL]:
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # only glibc has it
        libc.mallopt  # noqa: B018 (attribute lookup = presence check)
    except (OSError, AttributeError):
        return None
    return libc


def tune_malloc() -> bool:
    """Apply the thresholds once per process (later calls return the first result) and
    log it once.

    Returns:
        Whether glibc accepted them (False: not glibc, or ``SHLS_MALLOC_TUNING=0``).
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get('SHLS_MALLOC_TUNING', '1') == '0':
        return False
    libc = _glibc()
    if libc is None:
        return False
    _applied = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                    and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if _applied:
        print_log('glibc malloc: freed blocks up to 32 MB stay in the process for reuse '
                  '(fewer page faults per frame; SHLS_MALLOC_TUNING=0 turns this off)',
                  logger='current')
    return _applied
