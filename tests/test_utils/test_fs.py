import os
import subprocess
import sys

import pytest

from shls.utils.fs import PROBE_PREFIX, check_writable


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    return proc.pid  # exited and reaped: no process has this id right after


def test_check_writable_leaves_nothing_and_creates_nothing(tmp_path):
    check_writable(tmp_path / 'not' / 'yet')
    assert list(tmp_path.iterdir()) == []


def test_probes_of_killed_runs_are_removed_others_kept(tmp_path):
    orphan = tmp_path / f'{PROBE_PREFIX}{_dead_pid()}-abc123'
    alive = tmp_path / f'{PROBE_PREFIX}{os.getpid()}-xyz789'  # a run still probing
    unrelated = tmp_path / f'{PROBE_PREFIX}notapid'
    for path in (orphan, alive, unrelated):
        path.write_bytes(b'')
    (tmp_path / 'frame.png').write_bytes(b'')
    check_writable(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, unrelated.name, 'frame.png'])


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes to read-only folders')
def test_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match='not writable'):
            check_writable(tmp_path / 'out')
    finally:
        tmp_path.chmod(0o700)
