"""The one order rule for the frames (and annotations) of a video folder.

Frames are ordered by file name in *natural* order: runs of digits compare as integers
(``frame2`` before ``frame10``), other characters case-insensitively; the extension is
not part of the key. Two names are refused (``ValueError`` naming both files) when

* they have the same key: the same stem with two extensions (``00002.jpg`` and
  ``00002.png``), stems that differ only in case or in leading zeros (``1.jpg`` and
  ``01.jpg``): either would be a frame of its own with the same output name or place;
* they hold decimal numbers (``t0.25`` / ``t0.5``) whose natural order (25 > 5) differs
  from their order as numbers (0.25 < 0.5): no order is safe to guess.

Zero-padded integer names (``00000.jpg`` ...), as DAVIS and YouTube-VOS use, always
pass.
"""
import os.path as osp
import re
from typing import List, Sequence

from shls.utils.errors import InputError

_DIGITS = re.compile(r'(\d+)')
_DECIMAL = re.compile(r'(\d+\.\d+)')


def natural_key(name: str) -> list:
    """Sort key that orders ``frame2`` before ``frame10`` (case-insensitive)."""
    return [int(part) if part.isdigit() else part.lower() for part in _DIGITS.split(name)]


def _decimal_key(stem: str) -> list:
    """Sort key that reads ``0.25`` as one number (to detect ambiguous decimals)."""
    return [float(part) if _DECIMAL.fullmatch(part) else natural_key(part)
            for part in _DECIMAL.split(stem)]


def sort_frame_names(names: Sequence[str], folder: str = '') -> List[str]:
    """``names`` (file names of one folder) in the frame order of the module docstring.

    Args:
        names: File names (with extensions).
        folder: Their folder, for messages.

    Returns:
        The names, sorted.

    Raises:
        ValueError: Two names collide or sort ambiguously (the message names both).
    """
    stems = {name: osp.splitext(name)[0] for name in names}
    ordered = sorted(names, key=lambda n: natural_key(stems[n]))
    for first, second in zip(ordered, ordered[1:]):
        if natural_key(stems[first]) == natural_key(stems[second]):
            raise InputError(f'two frames have the same name or number: '
                             f'{osp.join(folder, first)} and {osp.join(folder, second)} '
                             '(keep one of them)')
    if any(_DECIMAL.search(stem) for stem in stems.values()):
        by_number = sorted(names, key=lambda n: _decimal_key(stems[n]))
        for index, (natural, numeric) in enumerate(zip(ordered, by_number)):
            if natural != numeric:
                raise InputError(
                    f'frame names sort ambiguously: {osp.join(folder, natural)} comes '
                    f'before {osp.join(folder, ordered[ordered.index(numeric)])} in natural '
                    'order but after it as a decimal number; rename the frames with '
                    'zero-padded integers (00000.jpg, 00001.jpg, ...)')
    return ordered


def sort_frame_paths(paths: Sequence[str]) -> List[str]:
    """Full paths of one folder, in frame order (see :func:`sort_frame_names`)."""
    if not paths:
        return []
    folder = osp.dirname(paths[0])
    by_name = {osp.basename(p): p for p in paths}
    return [by_name[n] for n in sort_frame_names(list(by_name), folder)]
