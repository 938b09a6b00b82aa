"""Runs killed with SIGKILL resume: training logs the same losses, tools/test.py skips the
videos it finished and scores the same."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

from .bad_input_kit import REPO, build_davis, build_kit
from .conftest import CPU_CONFIG, TINY_OPTIONS

TRAIN_OPTIONS = TINY_OPTIONS + [
    'train_cfg.max_iters=8', 'train_cfg.val_interval=100', 'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=-1', 'log_processor.window_size=1']


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')


def _run(args: List[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=300)


def _kill_when(args: List[str], ready: Callable[[], bool], log: Path) -> int:
    """Start ``python args``, SIGKILL it as soon as ``ready()``; its return code."""
    with open(log, 'w') as out:
        proc = subprocess.Popen([sys.executable, *map(str, args)], cwd=REPO, env=_env(),
                                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while proc.poll() is None and not ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=60)


def _losses(work_dir: Path) -> Dict[int, float]:
    """Iteration -> logged loss, from every scalars.json of a work dir."""
    losses = {}
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if 'loss' in record and 'iter' in record:
                losses[record['iter']] = record['loss']
    return losses


def test_training_killed_resumes_with_the_same_losses(saliency_root, tmp_path):
    base = ['tools/train.py', CPU_CONFIG, '--data-root', saliency_root]
    full = _run(base + ['--work-dir', tmp_path / 'full', '--cfg-options', *TRAIN_OPTIONS])
    assert full.returncode == 0, full.stderr[-2000:]
    reference = _losses(tmp_path / 'full')
    assert sorted(reference) == list(range(1, 9))

    work = tmp_path / 'killed'
    code = _kill_when(base + ['--work-dir', work, '--cfg-options', *TRAIN_OPTIONS],
                      lambda: (work / 'iter_3.pth').exists(), tmp_path / 'killed.log')
    assert code == -signal.SIGKILL, (tmp_path / 'killed.log').read_text()[-2000:]
    assert not (work / 'iter_8.pth').exists()
    resumed = _run(base + ['--work-dir', work, '--resume', '--cfg-options', *TRAIN_OPTIONS])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
    losses = _losses(work)
    assert sorted(losses) == list(range(1, 9))
    for iteration, loss in reference.items():
        assert abs(losses[iteration] - loss) < 1e-6, (iteration, losses[iteration], loss)


def test_test_tool_killed_resumes_and_skips_finished_videos(tmp_path):
    kit = build_kit(tmp_path / 'kit')
    davis = tmp_path / 'davis'  # a short video, then a long one to be killed in
    build_davis(davis, lengths={'blackswan': 4, 'car-shadow': 120})

    def args(out: Path) -> List[str]:
        return ['tools/test.py', kit.config, kit.checkpoint, '--work-dir', tmp_path / 'work',
                '--out', out, '--device', 'cpu', '--cfg-options',
                f'test_dataloader.dataset.data_root={davis}']

    full = _run(args(tmp_path / 'full'))
    assert full.returncode == 0, full.stderr[-2000:]
    out = tmp_path / 'killed'
    code = _kill_when(args(out), lambda: (out / 'blackswan' / '.complete').exists(),
                      tmp_path / 'killed.log')
    assert code == -signal.SIGKILL, (tmp_path / 'killed.log').read_text()[-2000:]
    assert not (out / 'car-shadow').exists()  # nothing half-written

    resumed = _run(args(out))
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-2000:]
    assert log.count('resuming: 1 videos already done') == 1
    assert 'blackswan: already done, skipped' in log
    assert 'car-shadow: already done' not in log
    assert sorted(p.name for p in out.iterdir() if p.name.startswith('.')) == []  # no leftovers
    assert len(list((out / 'car-shadow').glob('*.png'))) == 120
    for name in ('global_results-val.csv', 'per-sequence_results-val.csv'):
        assert (out / name).read_text() == (tmp_path / 'full' / name).read_text()

    again = _run(args(out))  # everything done: nothing is segmented
    assert 'resuming: 2 videos already done' in again.stdout + again.stderr
    fresh = _run(args(out) + ['--no-resume'])
    assert 'resuming' not in fresh.stdout + fresh.stderr
