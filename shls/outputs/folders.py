"""Output folders that appear whole: built under a temporary name, moved into place."""
import contextlib
import os
import os.path as osp
import shutil
import tempfile
from typing import Iterator, Sequence

from shls.utils.errors import OutputError
from shls.utils.fs import check_writable
from .resume import COMPLETE_MARKER

#: File types :func:`atomic_folder` may delete when it replaces an earlier output.
DEFAULT_SUFFIXES = ('.png', '.mp4')


def check_replaceable(path: str, suffixes: Sequence[str] = DEFAULT_SUFFIXES) -> None:
    """Raise unless ``path`` is absent, empty, or an earlier output of this project.

    An earlier output carries the ``.complete`` marker that the mask writers add last
    (:mod:`shls.outputs.writers`) and holds only ``suffixes`` files (flat); any
    other folder (the user's frames or annotations, a half-copied folder) is never
    replaced.

    Raises:
        ValueError: ``path`` is a file, a folder without the marker, or a folder holding
            anything else.
    """
    if not osp.lexists(path):
        return
    if not osp.isdir(path) or osp.islink(path):
        raise OutputError(f'output path exists and is not a folder: {path}')
    entries = list(os.scandir(path))
    for entry in entries:
        if not (entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(
                tuple(suffixes))):
            raise OutputError(f'refusing to replace output folder {path}: it holds '
                              f'{entry.name!r}, which is not a {"/".join(suffixes)} output')
    if entries and not osp.isfile(osp.join(path, COMPLETE_MARKER)):
        raise OutputError(f'refusing to replace output folder {path}: it has no '
                          f'{COMPLETE_MARKER} marker, so shls did not write it (choose '
                          'another output folder, or delete it)')


@contextlib.contextmanager
def atomic_folder(path: str, suffixes: Sequence[str] = DEFAULT_SUFFIXES) -> Iterator[str]:
    """Build a folder under a temporary name beside ``path``; move it into place at the end.

    Readers never see a half-written folder: on an exception the temporary folder is
    removed (the previous ``path``, if any, stays untouched); on success an earlier
    ``path`` is replaced as a whole, so no stale file survives. Only a flat folder of
    ``suffixes`` files is ever replaced, and only where files can be created (both
    checked before any work). Temporary folders of ``path`` left by a killed run are
    removed first.

    Args:
        path: The final folder.
        suffixes: File types an earlier ``path`` may hold.

    Yields:
        The temporary folder to write into.
    """
    path = osp.abspath(path)
    check_writable(path)
    check_replaceable(path, suffixes)
    parent, name = osp.split(path)
    os.makedirs(parent, exist_ok=True)
    remove_leftovers(path)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f'.{name}.', suffix='.tmp')
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        _replace_folder(tmp, path, suffixes)
    except BaseException:
        if osp.isdir(tmp):
            shutil.rmtree(tmp)
        raise


def remove_leftovers(path: str) -> int:
    """Remove the temporary folders of ``path`` that a killed :func:`atomic_folder` left.

    Returns:
        How many were removed.
    """
    parent, name = osp.split(osp.abspath(path))
    if not osp.isdir(parent):
        return 0
    prefix = f'.{name}.'
    stale = [entry.path for entry in os.scandir(parent)
             if entry.name.startswith(prefix) and entry.name.endswith(('.tmp', '.old'))
             and entry.is_dir(follow_symlinks=False)]
    for folder in stale:
        shutil.rmtree(folder)
    return len(stale)


def _replace_folder(src: str, dst: str, suffixes: Sequence[str]) -> None:
    """Move ``src`` to ``dst``, replacing an earlier output folder there."""
    check_replaceable(dst, suffixes)
    if not osp.lexists(dst):
        os.replace(src, dst)
        return
    old = tempfile.mkdtemp(dir=osp.dirname(dst), prefix=f'.{osp.basename(dst)}.', suffix='.old')
    os.replace(dst, osp.join(old, 'previous'))
    os.replace(src, dst)
    shutil.rmtree(old)
