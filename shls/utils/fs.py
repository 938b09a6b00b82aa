"""Checking output locations before any work is done."""
import os
import os.path as osp
import tempfile
from typing import Union

PathLike = Union[str, os.PathLike]


def check_writable(path: PathLike, what: str = 'output folder') -> None:
    """Raise unless files can be created at ``path`` (a folder, existing or not).

    Nothing is left behind: the nearest existing folder (``path`` itself or an ancestor)
    gets a probe file that is removed at once; missing folders are not created.

    Args:
        path: The folder that will receive outputs.
        what: How to call it in the message.

    Raises:
        NotADirectoryError: ``path`` or one of its ancestors is a file.
        PermissionError: The folder (or the ancestor it would be created in) is not
            writable (read-only file system, permissions, ...).
    """
    path = osp.abspath(os.fspath(path))
    existing = path
    while not osp.exists(existing):
        parent = osp.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not osp.isdir(existing):
        raise NotADirectoryError(f'{what} is not writable: {path} ({existing} is a file)')
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix='.shls-write-test-')
    except OSError as err:
        raise PermissionError(f'{what} is not writable: {path} '
                              f'({err.strerror or type(err).__name__})') from err
    os.close(fd)
    os.unlink(probe)
