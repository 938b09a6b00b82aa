"""tools/analysis/ablation.py: a table of J&F / J / F / FPS over configs, and its errors."""
import csv
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from shls.registry import MODELS
from shls.utils import register_all_modules
from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'analysis', 'ablation.py')
TINY_REFINE = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny_refine.py')
DAVIS_BASE = osp.join(REPO, 'configs', '_base_', 'datasets', 'davis.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Two leaf configs (pre-segmentation only, full) and a random-init checkpoint."""
    root = tmp_path_factory.mktemp('ablation')
    base = f'_base_ = [{TINY_REFINE!r}, {DAVIS_BASE!r}]\n'
    (root / 'preseg.py').write_text(base + 'test_cfg = dict(segmenter_cfg=dict(refine=False))\n')
    (root / 'full.py').write_text(base)
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(root / 'full.py')).model)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, root / 'tiny.pth')
    return root


def load_main():
    spec = importlib.util.spec_from_file_location('shls_ablation_tool',
                                                  osp.join(REPO, TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_table_csv_and_markdown_on_the_fixture(setup, davis_root):
    out = setup / 'out'
    proc = run_tool(REPO, [TOOL, str(setup / 'preseg.py'), str(setup / 'full.py'),
                           '--checkpoint', str(setup / 'tiny.pth'), '--data-root', davis_root,
                           '--out', str(out), '--device', 'cpu', '--cfg-options',
                           'test_dataloader.dataset.sequences=[blackswan]'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    header = next(line for line in proc.stdout.splitlines() if 'config' in line)
    assert [c.strip() for c in header.strip('|').split('|')] == ['config', 'J&F', 'J', 'F',
                                                                'FPS']
    with open(out / 'ablation.csv') as f:
        rows = list(csv.DictReader(f))
    assert [r['config'] for r in rows] == ['preseg', 'full']
    for row in rows:
        assert 0 <= float(row['J&F']) <= 100 and float(row['FPS']) > 0
        assert float(row['J&F']) == pytest.approx((float(row['J']) + float(row['F'])) / 2,
                                                  abs=0.011)
    md = (out / 'ablation.md').read_text().splitlines()
    assert md[0] == '| config | checkpoint | J&F | J | F | FPS |' and len(md) == 4
    assert (out / 'full' / 'blackswan' / '00005.png').is_file()
    assert (out / 'full' / 'global_results-val.csv').is_file()


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        load_main()(['--help'])
    assert exc.value.code == 0 and '--checkpoints' in capsys.readouterr().out


@pytest.mark.parametrize('case, pattern', [
    ('count', '--checkpoints: 1 given for 2 configs'),
    ('root', '--data-root: no such folder'),
    ('config', 'config not found'),
])
def test_one_line_errors(setup, tmp_path, davis_root, capsys, case, pattern):
    configs = [str(setup / 'preseg.py'), str(setup / 'full.py')]
    root = davis_root
    ckpt = ['--checkpoint', str(setup / 'tiny.pth')]
    if case == 'count':
        ckpt = ['--checkpoints', str(setup / 'tiny.pth')]
    elif case == 'root':
        root = str(tmp_path / 'nowhere')
    else:
        configs[1] = str(tmp_path / 'missing.py')
    code = load_main()([*configs, *ckpt, '--data-root', root, '--out', str(tmp_path / 'o')])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith('error: ') and pattern in err[0]
