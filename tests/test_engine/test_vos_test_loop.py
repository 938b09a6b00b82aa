"""VOSTestLoop: a Runner test run streams each DAVIS video to PNGs and scores them."""
import os
import os.path as osp
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from shls.datasets import read_mask, write_palette_png
from shls.engine import VOSTestLoop, video_list_collate
from shls.engine.vos_test_loop import _check_item
from shls.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
DAVIS_BASE = osp.join(REPO, 'configs', '_base_', 'datasets', 'davis.py')


def make_small_davis(src: str, dst: str, scale: int = 4) -> None:
    """Copy a DAVIS-layout root with every frame and mask downscaled ``scale`` times."""
    for kind in ('JPEGImages', 'Annotations'):
        for seq in sorted(os.listdir(osp.join(src, kind, '480p'))):
            os.makedirs(osp.join(dst, kind, '480p', seq))
            for name in sorted(os.listdir(osp.join(src, kind, '480p', seq))):
                path = osp.join(src, kind, '480p', seq, name)
                out = osp.join(dst, kind, '480p', seq, name)
                if kind == 'JPEGImages':
                    img = cv2.imread(path)
                    size = (img.shape[1] // scale, img.shape[0] // scale)
                    cv2.imwrite(out, cv2.resize(img, size, interpolation=cv2.INTER_AREA))
                else:
                    mask = read_mask(path)
                    size = (mask.shape[1] // scale, mask.shape[0] // scale)
                    write_palette_png(out, cv2.resize(mask, size,
                                                      interpolation=cv2.INTER_NEAREST))
    os.makedirs(osp.join(dst, 'ImageSets', '2017'))
    with open(osp.join(src, 'ImageSets', '2017', 'val.txt')) as f:
        text = f.read()
    with open(osp.join(dst, 'ImageSets', '2017', 'val.txt'), 'w') as f:
        f.write(text)


@pytest.fixture(scope='module')
def small_davis(tmp_path_factory, davis_root):
    root = str(tmp_path_factory.mktemp('davis_small'))
    make_small_davis(davis_root, root)
    return root


def build_cfg(data_root: str, work_dir: str) -> Config:
    cfg = Config.fromstring(f'_base_ = [{TINY_CONFIG!r}, {DAVIS_BASE!r}]\n', '.py')
    cfg.test_dataloader.dataset.data_root = data_root
    cfg.test_cfg.progress = False
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    return cfg


def test_runner_test_writes_pngs_and_scores(small_davis, tmp_path):
    register_all_modules(init_default_scope=False)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        runner = Runner.from_cfg(build_cfg(small_davis, str(tmp_path / 'work')))
        metrics = runner.test()
        pred_root = Path(runner.test_loop.pred_root)
        assert pred_root.parent == tmp_path / 'work' / 'predictions'
        stale = pred_root / 'blackswan' / 'stale.png'
        stale.write_bytes(b'old')
        runner.test_loop.resume = False  # same setup: would skip the finished videos
        runner.test()  # a second run replaces each sequence folder as a whole
    finally:
        torch.set_num_threads(threads)
    assert isinstance(runner.test_loop, VOSTestLoop)
    assert 0 <= metrics['davis/J&F-Mean'] <= 100
    for seq in ('blackswan', 'car-shadow'):
        names = sorted(os.listdir(pred_root / seq))
        assert names == ['.complete'] + [f'{i:05d}.png' for i in range(6)]
        first = read_mask(pred_root / seq / '00000.png')
        gt = read_mask(osp.join(small_davis, 'Annotations', '480p', seq, '00000.png'))
        np.testing.assert_array_equal(first, gt)
    assert not stale.exists()
    assert sorted(p for p in os.listdir(pred_root) if p.startswith('.')) == []


def test_items_must_be_videos():
    assert video_list_collate([{'a': 1}, {'b': 2}]) == [{'a': 1}, {'b': 2}]
    with pytest.raises(ValueError, match='collate_fn'):
        _check_item({'seq_name': ['x']})
    cfg = Config.fromfile(DAVIS_BASE)
    assert cfg.test_dataloader.sampler == dict(type='DefaultSampler', shuffle=False,
                                               round_up=False)
    assert cfg.test_cfg.type == 'VOSTestLoop'
