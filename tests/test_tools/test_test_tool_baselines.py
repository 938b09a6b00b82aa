"""tools/test.py with the training-free baselines: no checkpoint needed, FPS printed."""
import importlib.util
import os.path as osp
import sys

from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'test.py')
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
DAVIS_BASE = osp.join(REPO, 'configs', '_base_', 'datasets', 'davis.py')


def test_baseline_without_checkpoint(davis_root, tmp_path):
    proc = run_tool(REPO, [TOOL, 'configs/baselines/first-mask-copy_davis.py', '--work-dir',
                           str(tmp_path / 'work'), '--device', 'cpu', '--cfg-options',
                           f'test_dataloader.dataset.data_root={davis_root}',
                           'test_dataloader.dataset.sequences=[blackswan]',
                           'test_cfg.progress=False'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    header = [line for line in proc.stdout.splitlines() if 'J&F-Mean' in line][-1]
    assert header.strip('| ').split()[-1] == 'FPS'
    (pred_root, ) = (tmp_path / 'work' / 'predictions').iterdir()  # <root name>-<hash>
    assert (pred_root / 'blackswan' / '00005.png').is_file()


def test_model_with_weights_needs_a_checkpoint(tmp_path, monkeypatch, capsys, davis_root):
    leaf = tmp_path / 'tiny_davis.py'
    leaf.write_text(f'_base_ = [{TINY_CONFIG!r}, {DAVIS_BASE!r}]\n'
                    'test_cfg = dict(progress=False)\n')
    spec = importlib.util.spec_from_file_location('shls_tool_test_baselines',
                                                  osp.join(REPO, TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', ['test.py', str(leaf), '--work-dir', str(tmp_path / 'w'),
                                      '--device', 'cpu', '--cfg-options',
                                      f'test_dataloader.dataset.data_root={davis_root}'])
    assert module.main() == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and err[-1].startswith('error: ConfigError: SHLS of ')
    assert 'has weights: give a checkpoint' in err[-1]
