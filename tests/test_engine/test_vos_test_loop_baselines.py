"""VOSTestLoop with the training-free baselines (model.build_segmenter) on the fixture."""
import os.path as osp
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from shls.datasets import DAVISDataset, read_mask
from shls.evaluation import DAVISMetric
from shls.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASELINES = osp.join(REPO, 'configs', 'baselines')


def run_config(name: str, data_root: str, work_dir: str) -> dict:
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(osp.join(BASELINES, name))
    cfg.test_dataloader.dataset.data_root = data_root
    cfg.test_cfg.progress = False
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    cfg.test_evaluator.out_dir = work_dir
    runner = Runner.from_cfg(cfg)
    return runner.test()


def copy_scores(data_root: str) -> dict:
    """J&F of first-mask copy computed directly by the metric (no loop, no PNGs)."""
    dataset, metric = DAVISDataset(data_root), DAVISMetric()
    for idx in range(len(dataset)):
        item = dataset[idx]
        first = item['first_mask']
        item['pred_masks'] = np.broadcast_to(first, (len(item['frame_paths']), *first.shape))
        metric.process(None, [item])
    return metric.compute_metrics(metric.results)


def _pred_root(work_dir):
    """The default predictions folder: ``<work_dir>/predictions/<data root tag>``."""
    (root, ) = (Path(work_dir) / 'predictions').iterdir()
    return root


def test_first_mask_copy_reproduces_its_scores(davis_root, tmp_path):
    metrics = run_config('first-mask-copy_davis.py', davis_root, str(tmp_path))
    expected = copy_scores(davis_root)
    for key in ('J&F-Mean', 'J-Mean', 'F-Mean'):
        assert metrics[f'davis/{key}'] == pytest.approx(expected[key], abs=1e-6)
    first = read_mask(osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png'))
    last = read_mask(str(_pred_root(tmp_path) / 'blackswan' / '00005.png'))
    np.testing.assert_array_equal(last, first)


def test_dis_flow_runs_through_the_loop_and_beats_copy(davis_root, tmp_path):
    metrics = run_config('dis-flow_davis.py', davis_root, str(tmp_path))
    copy = copy_scores(davis_root)
    assert 0 <= metrics['davis/J&F-Mean'] <= 100
    assert metrics['davis/J&F-Mean'] > copy['J&F-Mean']
    first = read_mask(osp.join(davis_root, 'Annotations', '480p', 'car-shadow', '00000.png'))
    pred = read_mask(str(_pred_root(tmp_path) / 'car-shadow' / '00000.png'))
    np.testing.assert_array_equal(pred, first)
