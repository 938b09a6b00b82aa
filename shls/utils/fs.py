"""Checking output locations before any work is done: writable, and apart from the inputs."""
import contextlib
import os
import os.path as osp
import shutil
import tempfile
from typing import Iterator, Mapping, Optional, Tuple, Union

from .errors import NotWritableError, OutputError

PathLike = Union[str, os.PathLike]


def check_writable(path: PathLike, what: str = 'output folder') -> None:
    """Raise unless files can be created at ``path`` (a folder, existing or not).

    Nothing is left behind: the nearest existing folder (``path`` itself or an ancestor)
    gets a probe file that is removed at once; missing folders are not created. A probe
    that a killed process left there (its process id is no longer running) is removed.

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
        raise NotWritableError(f'{what} is not writable: {path} ({existing} is a file)')
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=f'{PROBE_PREFIX}{os.getpid()}-')
    except OSError as err:
        raise NotWritableError(f'{what} is not writable: {path} '
                               f'({err.strerror or type(err).__name__})') from err
    os.close(fd)
    os.unlink(probe)
    _remove_orphan_probes(existing)


#: Name prefix of the probe files of :func:`check_writable` (then ``<pid>-<random>``).
PROBE_PREFIX = '.shls-write-test-'


def _remove_orphan_probes(folder: str) -> None:
    """Remove probe files whose process no longer runs (killed between create and
    remove); probes of running processes and other files are left alone."""
    try:
        names = os.listdir(folder)
    except OSError:  # writable but not listable: nothing to tidy that can be seen
        return
    for name in names:
        pid = name[len(PROBE_PREFIX):].split('-', 1)[0]
        if not (name.startswith(PROBE_PREFIX) and pid.isdigit()) or _running(int(pid)):
            continue
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            os.unlink(osp.join(folder, name))


def _running(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        pass
    return True


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
        raise OutputError(f'refusing to write {what} {os.fspath(out)}: it {relation} the '
                          f'{name} {path} (outputs may replace files; choose a folder apart '
                          'from the inputs)')


def opencv_safe(path: PathLike) -> bool:
    """Whether OpenCV can be given ``path`` itself: plain ASCII only (OpenCV's C++ side
    has crashed on names with bytes that are not UTF-8)."""
    return os.fspath(path).isascii()


@contextlib.contextmanager
def opencv_readable(path: PathLike) -> Iterator[str]:
    """A path OpenCV can open for reading: ``path`` if :func:`opencv_safe`, else a
    symbolic link with an ASCII name in a temporary folder (removed on exit)."""
    path = os.fspath(path)
    if opencv_safe(path):
        yield path
        return
    folder = tempfile.mkdtemp(prefix='shls-cv-')
    try:
        link = osp.join(folder, 'input' + _ascii_suffix(path))
        os.symlink(osp.abspath(path), link)
        yield link
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def opencv_writable(path: PathLike) -> Tuple[str, Optional[str]]:
    """Where OpenCV should write the file ``path``: ``(path, None)`` if
    :func:`opencv_safe`, else ``(ASCII temporary file, its temporary folder)``; move the
    result into place with :func:`finish_opencv_write`."""
    path = os.fspath(path)
    if opencv_safe(path):
        return path, None
    folder = tempfile.mkdtemp(prefix='shls-cv-')
    return osp.join(folder, 'output' + _ascii_suffix(path)), folder


def finish_opencv_write(cv_path: str, folder: Optional[str], path: PathLike,
                        keep: bool = True) -> None:
    """Move a file written by OpenCV at ``cv_path`` to ``path`` (Python file IO) and
    remove its temporary ``folder``; ``keep=False`` only cleans up."""
    if folder is None:
        return
    try:
        if keep and osp.exists(cv_path):
            shutil.move(cv_path, os.fspath(path))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ascii_suffix(path: str) -> str:
    suffix = osp.splitext(path)[1]
    return suffix if suffix.isascii() else ''
