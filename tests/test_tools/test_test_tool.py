"""tools/test.py: end to end on the DAVIS fixture, and one-line errors."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from shls.registry import MODELS
from shls.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'test.py')
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
DAVIS_BASE = osp.join(REPO, 'configs', '_base_', 'datasets', 'davis.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A leaf config (tiny model + DAVIS) and a random-init checkpoint of it."""
    root = tmp_path_factory.mktemp('test_tool')
    leaf = root / 'tiny_davis.py'
    leaf.write_text(f'_base_ = [{TINY_CONFIG!r}, {DAVIS_BASE!r}]\n'
                    'test_cfg = dict(progress=False)\n')
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(leaf)).model)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, root / 'tiny.pth')
    return root, str(leaf), str(root / 'tiny.pth')


def run_main(args, monkeypatch):
    """Run tools/test.py's main() in this process (fast error checks)."""
    spec = importlib.util.spec_from_file_location('shls_tool_test', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', ['test.py', *args])
    return module.main()


def test_end_to_end_on_the_fixture(setup, davis_root):
    root, leaf, ckpt = setup
    out = root / 'out'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, TOOL, leaf, ckpt, '--work-dir', str(root / 'work'), '--out', str(out),
         '--device', 'cpu', '--cfg-options', f'test_dataloader.dataset.data_root={davis_root}',
         'test_dataloader.dataset.sequences=[blackswan]'],
        capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'J&F-Mean' in proc.stdout
    assert sorted(os.listdir(out / 'blackswan')) == ['.complete'] + [
        f'{i:05d}.png' for i in range(6)]
    for name in ('global_results-val.csv', 'per-sequence_results-val.csv', 'results-val.json'):
        assert (out / name).is_file()
    assert (out / 'per-sequence_results-val.csv').read_text().splitlines()[1].startswith(
        'blackswan_1,')


@pytest.mark.parametrize('case, pattern', [
    ('no_checkpoint', 'InputNotFoundError: checkpoint not found'),
    ('other_architecture', 'does not fit the model SHLS'),
    ('bad_key', "unknown config key 'test_dataloader.dataset.data_rot'"),
    ('no_test_keys', 'has no test_dataloader, test_evaluator, test_cfg'),
])
def test_one_line_errors(setup, tmp_path, monkeypatch, capsys, davis_root, case, pattern):
    root, leaf, ckpt = setup
    options = [f'test_dataloader.dataset.data_root={davis_root}']
    if case == 'no_checkpoint':
        ckpt = str(tmp_path / 'missing.pth')
    elif case == 'other_architecture':
        ckpt = str(tmp_path / 'other.pth')
        torch.save({'state_dict': {'decoder.weight': torch.zeros(2)}}, ckpt)
    elif case == 'bad_key':
        options = [f'test_dataloader.dataset.data_rot={davis_root}']
    else:
        leaf, options = TINY_CONFIG, []
    code = run_main([leaf, ckpt, '--work-dir', str(tmp_path / 'w'), '--device', 'cpu',
                     '--cfg-options', *options] if options else
                    [leaf, ckpt, '--work-dir', str(tmp_path / 'w')], monkeypatch)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith('error: ') and pattern in err[-1]
    if case == 'other_architecture':
        assert 'other.pth' in err[-1]
