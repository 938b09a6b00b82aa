"""Checking output locations before any work is done: writable, and apart from the inputs."""
import os
import os.path as osp
import tempfile
from typing import Mapping, Optional, Union

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


def _real(path: PathLike) -> str:
    """Absolute path with symbolic links resolved (for comparisons)."""
    return osp.realpath(osp.abspath(os.fspath(path)))


def is_within(path: PathLike, folder: PathLike) -> bool:
    """Whether ``path`` is ``folder`` or lies somewhere below it (links resolved)."""
    path, folder = _real(path), _real(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_output_apart(out: PathLike, inputs: Mapping[str, Optional[PathLike]],
                       what: str = 'output folder') -> None:
    """Refuse an output location that is, contains or lies inside an input of the run.

    The rule protects the user's data: a tool may replace its output, so the output must
    never overlap what the run reads. For an input *folder* (frames, ground truth, a
    dataset root, images) ``out`` may not be it, contain it or lie inside it; for an
    input *file* (a mask, a checkpoint) ``out`` may not be it or contain it (writing
    beside a file is fine). Inputs that do not exist are skipped (their own checks
    report them).

    Args:
        out: The output folder (or file) of the run.
        inputs: ``{description: path}`` of every input; ``None`` entries are skipped.
        what: How to call ``out`` in the message (e.g. ``'--out'``).

    Raises:
        ValueError: One line naming both paths.
    """
    for name, path in inputs.items():
        if path is None or not osp.exists(os.fspath(path)):
            continue
        path = os.fspath(path)
        if _real(out) == _real(path):
            relation = 'is'
        elif is_within(path, out):
            relation = 'contains'
        elif osp.isdir(path) and is_within(out, path):
            relation = 'lies inside'
        else:
            continue
        raise ValueError(f'refusing to write {what} {os.fspath(out)}: it {relation} the '
                         f'{name} {path} (outputs may replace files; choose a folder apart '
                         'from the inputs)')
