"""The UserError family: one line and exit code 2 for a user's mistake, a traceback for a bug."""
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shls.utils.cli import is_user_error, run_tool
from shls.utils.errors import (ConfigError, InputError, InputNotFoundError, NotWritableError,
                               OutputError, UnknownNameError, UserError)

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / 'tests' / 'fixtures' / 'configs' / 'shls_tiny.py'


@pytest.mark.parametrize('cls, builtin', [
    (InputError, ValueError), (InputNotFoundError, FileNotFoundError),
    (ConfigError, ValueError), (UnknownNameError, KeyError), (OutputError, ValueError),
    (NotWritableError, PermissionError)])
def test_every_class_is_a_user_error_and_its_former_builtin(cls, builtin):
    err = cls('bad thing: x.png')
    assert isinstance(err, UserError) and isinstance(err, builtin)
    assert str(err) == 'bad thing: x.png'  # KeyError would have quoted it


def test_config_error_of_shls_utils_config_is_the_family_one():
    from shls.utils import config
    assert config.ConfigError is ConfigError


def _fails_with(err: BaseException):
    def main() -> int:
        raise err
    return main


@pytest.mark.parametrize('err', [InputNotFoundError('mask file not found: a.png'),
                                 UnknownNameError('unknown saliency estimator X'),
                                 ConfigError('--device cuda: no CUDA device')])
def test_a_user_error_is_one_line_and_exit_2(err, capsys):
    assert run_tool(_fails_with(err), debug=False) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f'error: {type(err).__name__}: {err}']


def test_debug_shows_the_traceback_of_a_user_error():
    with pytest.raises(InputError):
        run_tool(_fails_with(InputError('bad')), debug=True)


@pytest.mark.parametrize('err', [TypeError('unsupported operand'), ValueError('internal'),
                                 KeyError('state'), RuntimeError('boom'),
                                 FileNotFoundError('no path attached')])
def test_a_bug_keeps_its_traceback(err, capsys):
    assert not is_user_error(err)
    with pytest.raises(type(err)):
        run_tool(_fails_with(err), debug=False)
    assert capsys.readouterr().err == ''


def test_an_os_error_on_a_named_file_is_one_line(capsys):
    err = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), '/out/00001.png')
    assert is_user_error(err)
    assert run_tool(_fails_with(err), debug=False) == 2
    assert capsys.readouterr().err.strip() == (
        "error: OSError: [Errno 28] No space left on device: '/out/00001.png'")


def _train(code: str, *argv: str) -> subprocess.CompletedProcess:
    """Run tools/train.py after ``code`` (a patch) in a fresh interpreter."""
    script = (f'import runpy, sys\n{code}\n'
              f'sys.argv = ["tools/train.py", *{list(argv)!r}]\n'
              'runpy.run_path("tools/train.py", run_name="__main__")\n')
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, '-c', script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_tool_user_error_is_one_line_and_exit_2(tmp_path):
    proc = _train('', str(TINY_CONFIG), '--work-dir', str(tmp_path / 'work'),
                  '--cfg-options', 'model.hed.x=1')
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "error: ConfigError: unknown config key 'model.hed.x'")
    assert 'Traceback' not in proc.stderr


def test_tool_bug_keeps_its_traceback(tmp_path):
    patch = ('import shls.utils.config as config\n'
             'def parse_options(options):\n'
             '    raise TypeError("a bug inside shls")\n'
             'config.parse_options = parse_options')
    proc = _train(patch, str(TINY_CONFIG), '--work-dir', str(tmp_path / 'work'),
                  '--cfg-options', 'model.memory.k=3')
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'Traceback (most recent call last)' in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == 'TypeError: a bug inside shls'
