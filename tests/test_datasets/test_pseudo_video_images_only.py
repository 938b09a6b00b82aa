"""PseudoVideoDataset on a folder of images without masks (estimated pseudo-masks)."""
import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from shls.datasets import DatasetError, PseudoVideoDataset
from shls.datasets.pseudo_mask_folder import META_NAME

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'saliency'
# A fast estimator setting for the tests (small working image, no GrabCut).
SALIENCY = dict(type='MBDSaliency', max_side=96)
SMALL = dict(frame_size=(64, 64), num_frames=2)


@pytest.fixture
def images_root(tmp_path) -> Path:
    """Four fixture images, no masks: ``<tmp>/images/*.jpg``."""
    (tmp_path / 'images').mkdir()
    for img in sorted((FIXTURES / 'images').glob('*.jpg'))[:4]:
        shutil.copy(img, tmp_path / 'images' / img.name)
    return tmp_path


def _dataset(root, **kwargs) -> PseudoVideoDataset:
    cfg = dict(data_root=str(root), mask_dir=None, saliency=SALIENCY, **SMALL)
    cfg.update(kwargs)
    return PseudoVideoDataset(**cfg)


def test_images_only_yields_valid_clips_and_caches_masks(images_root):
    ds = _dataset(images_root)
    cache = images_root / 'pseudo_masks' / 'MBDSaliency'
    assert len(ds) == 4 and (cache / META_NAME).is_file()
    for i in range(len(ds)):
        item = ds[i]
        assert len(item['frames']) == len(item['masks']) == 2
        assert item['frames'][0].shape == (64, 64, 3) and item['masks'][0].dtype == np.uint8
        assert max(int(m.max()) for m in item['masks']) <= item['num_objects'] <= 3
    masks = sorted(cache.glob('*.png'))
    assert [m.stem for m in masks] == ds.folder.stems  # one per image, made once
    for path in masks:
        mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        image = cv2.imread(str(images_root / 'images' / (path.stem + '.jpg')))
        assert mask.shape == image.shape[:2] and set(np.unique(mask)) <= {0, 255}
    assert not [p for p in cache.iterdir() if p.suffix == '.tmp']


def test_cache_is_reused_and_items_are_deterministic(images_root):
    first = _dataset(images_root)
    a = first[1]
    cache = images_root / 'pseudo_masks' / 'MBDSaliency'
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.glob('*.png')}
    again = _dataset(images_root)
    b = again[1]
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob('*.png')} == stamps
    for x, y in zip(a['frames'] + a['masks'], b['frames'] + b['masks']):
        np.testing.assert_array_equal(x, y)


def test_cache_dir_options_and_holdout(images_root, tmp_path_factory):
    other = tmp_path_factory.mktemp('cache')
    ds = _dataset(images_root, mask_cache_dir=str(other), holdout=1, split='val')
    assert len(ds) == 1 and ds[0]['num_objects'] >= 0
    assert (other / META_NAME).is_file() and len(list(other.glob('*.png'))) >= 1
    rel = _dataset(images_root, mask_cache_dir='cache_rel')
    rel[0]
    assert (images_root / 'cache_rel' / META_NAME).is_file()


def test_settings_or_images_mismatch_is_an_error(images_root, tmp_path):
    _dataset(images_root, mask_cache_dir=str(tmp_path / 'c'))
    with pytest.raises(DatasetError, match='made by'):
        _dataset(images_root, mask_cache_dir=str(tmp_path / 'c'),
                 saliency=dict(SALIENCY, max_side=80))
    elsewhere = tmp_path / 'copy'
    shutil.copytree(images_root / 'images', elsewhere / 'images')
    with pytest.raises(DatasetError, match='made for the images'):
        _dataset(elsewhere, mask_cache_dir=str(tmp_path / 'c'))


def test_bad_arguments(images_root, tmp_path):
    with pytest.raises(ValueError, match='needs saliency'):
        PseudoVideoDataset(data_root=str(images_root), mask_dir=None)
    with pytest.raises(ValueError, match='either mask_dir'):
        PseudoVideoDataset(data_root=str(FIXTURES), saliency=SALIENCY)
    with pytest.raises(KeyError, match='NoSuchSaliency'):
        _dataset(images_root, saliency=dict(type='NoSuchSaliency'))
    blocker = tmp_path / 'a_file'
    blocker.write_text('x')
    with pytest.raises(PermissionError, match='not writable'):
        _dataset(images_root, mask_cache_dir=str(blocker / 'cache'))
    with pytest.raises(DatasetError, match='does not exist'):
        _dataset(tmp_path / 'nowhere')
    assert not (tmp_path / 'nowhere').exists()


def test_given_masks_still_work(saliency_root):
    ds = PseudoVideoDataset(data_root=saliency_root, **SMALL)
    assert len(ds) == 8 and ds.estimator is None
    assert not os.path.exists(os.path.join(saliency_root, 'pseudo_masks'))


def test_images_only_config_builds(images_root):
    from shls.registry import DATASETS
    from shls.utils import load_config, register_all_modules
    register_all_modules(init_default_scope=False)
    repo = Path(__file__).resolve().parents[2]
    cfg = load_config(str(repo / 'configs' / 'shls' /
                          'shls_r18-w32_slic_1xb1-2k_images-256_pseudomask.py'))
    for name in ('train_dataloader', 'val_dataloader'):
        ds_cfg = cfg[name]['dataset']
        assert ds_cfg['mask_dir'] is None and ds_cfg['saliency']['type'] == 'MBDContrastSaliency'
    ds_cfg = dict(cfg.train_dataloader.dataset, data_root=str(images_root), holdout=1,
                  num_samples=2, saliency=SALIENCY, mask_cache_dir='cache', **SMALL)
    ds = DATASETS.build(ds_cfg)
    item = ds[0]
    assert item['inputs'].shape[0] == 2  # packed frames
    assert (images_root / 'cache' / META_NAME).is_file()
