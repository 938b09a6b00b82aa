"""shls.apis.evaluate: a config's test set through the Runner (tools/test.py, ablation)."""
import os.path as osp

import pytest
from mmengine.logging import MMLogger

from shls.apis.evaluate import prepare_test_cfg, run_test
from shls.utils.config import ConfigError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
BASELINE = osp.join(REPO, 'configs', 'baselines', 'first-mask-copy_davis.py')


def options(davis_root):
    return [f'test_dataloader.dataset.data_root={davis_root}',
            'test_dataloader.dataset.sequences=[blackswan]', 'test_cfg.progress=False']


def test_prepare_sets_outputs_and_loop_options(davis_root, tmp_path):
    out = str(tmp_path / 'out')
    cfg = prepare_test_cfg(BASELINE, options(davis_root), work_dir=str(tmp_path / 'work'),
                           out=out, out_format='coco-rle', amp=True, resume=False)
    assert cfg.work_dir == str(tmp_path / 'work') and cfg.launcher == 'none'
    assert cfg.test_cfg.out_dir == out and cfg.test_evaluator.out_dir == out
    assert (cfg.test_cfg.out_format, cfg.test_cfg.amp, cfg.test_cfg.resume) == (
        'coco-rle', True, False)
    assert cfg.load_from is None and cfg.resume is False


def test_prepare_needs_the_test_keys(tmp_path):
    with pytest.raises(ConfigError, match='has no test_dataloader, test_evaluator, test_cfg'):
        prepare_test_cfg(TINY_CONFIG, work_dir=str(tmp_path))


def test_prepare_keeps_outputs_apart_from_the_data(davis_root):
    with pytest.raises(ValueError, match='--out'):
        prepare_test_cfg(BASELINE, options(davis_root), out=davis_root)


def test_run_a_training_free_baseline(davis_root, tmp_path):
    MMLogger._instance_dict.clear()
    cfg = prepare_test_cfg(BASELINE, options(davis_root), work_dir=str(tmp_path / 'work'))
    metrics, runner = run_test(cfg, None)
    values = {k.split('/', 1)[-1]: v for k, v in metrics.items()}
    assert 0 <= values['J&F-Mean'] <= 100 and runner.test_loop.fps > 0
    assert osp.isfile(osp.join(runner.test_loop.pred_root, 'blackswan', '00005.png'))
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        run_test(cfg, str(tmp_path / 'missing.pth'))
