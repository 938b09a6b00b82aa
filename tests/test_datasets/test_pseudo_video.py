"""Tests of shls.datasets.pseudo_video.PseudoVideoDataset."""
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner

from shls.datasets import DatasetError, PseudoVideoDataset
from shls.registry import DATASETS
from shls.structures import VideoDataSample

SMALL = dict(frame_size=(64, 64))
PIPELINE = [dict(type='ComputeSuperpixels', generator=dict(type='SLICSuperpixels',
                                                           n_segments=40)),
            dict(type='PackVideoInputs')]


def test_item_before_pipeline(saliency_root):
    ds = PseudoVideoDataset(data_root=saliency_root, **SMALL)
    assert len(ds) == 8
    item = ds[3]
    assert len(item['frames']) == len(item['masks']) == 3
    assert item['frames'][0].shape == (64, 64, 3) and item['frames'][0].dtype == np.uint8
    assert item['masks'][0].shape == (64, 64) and item['masks'][0].dtype == np.uint8
    assert item['template_stem'] == ds.folder.stems[3] and item['seed'] == 0
    assert 1 <= item['num_objects'] <= 3
    assert max(int(m.max()) for m in item['masks']) <= item['num_objects']
    assert item['img_shape'] == (64, 64) and len(item['ori_shape']) == 2


def test_every_fixture_item_has_objects(saliency_root):
    ds = PseudoVideoDataset(data_root=saliency_root, num_frames=2, **SMALL)
    assert all(ds[i]['num_objects'] >= 1 for i in range(len(ds)))


def test_virtual_length_and_determinism(saliency_root):
    ds = PseudoVideoDataset(data_root=saliency_root, num_samples=20, seed=1, **SMALL)
    again = PseudoVideoDataset(data_root=saliency_root, num_samples=20, seed=1, **SMALL)
    other_seed = PseudoVideoDataset(data_root=saliency_root, num_samples=20, seed=2, **SMALL)
    assert len(ds) == 20
    assert ds[11]['template_stem'] == ds.folder.stems[11 % 8]
    a, b = ds[11], again[11]
    for x, y in zip(a['frames'] + a['masks'], b['frames'] + b['masks']):
        np.testing.assert_array_equal(x, y)
    # Item 3 uses the same template as item 11, but another random draw.
    assert not np.array_equal(ds[3]['frames'][1], a['frames'][1])
    assert not np.array_equal(other_seed[11]['frames'][1], a['frames'][1])


def test_holdout_split(saliency_root):
    train = PseudoVideoDataset(data_root=saliency_root, holdout=3, **SMALL)
    val = PseudoVideoDataset(data_root=saliency_root, holdout=3, split='val', **SMALL)
    every = PseudoVideoDataset(data_root=saliency_root, holdout=3, split='all', **SMALL)
    assert len(train) == 5 and len(val) == 3 and len(every) == 8
    assert sorted(train.folder.stems + val.folder.stems) == every.folder.stems
    assert not set(train.folder.stems) & set(val.folder.stems)
    assert val[0]['template_stem'] == val.folder.stems[0]
    again = PseudoVideoDataset(data_root=saliency_root, holdout=3, split='val', **SMALL)
    assert again.folder.stems == val.folder.stems  # stable selection
    with pytest.raises(DatasetError, match='holdout'):
        PseudoVideoDataset(data_root=saliency_root, split='val')
    with pytest.raises(DatasetError, match='holdout'):
        PseudoVideoDataset(data_root=saliency_root, holdout=8)
    with pytest.raises(ValueError, match='split'):
        PseudoVideoDataset(data_root=saliency_root, split='test')


def test_stems_file(tmp_path, saliency_root):
    stems = sorted(p.stem for p in (Path(saliency_root) / 'images').iterdir())
    stems_file = tmp_path / 'train.txt'
    stems_file.write_text(f'# some stems\n{stems[4]}\n{stems[1]}\n\n{stems[6]}\n')
    ds = PseudoVideoDataset(data_root=saliency_root, ann_file=str(stems_file), holdout=1,
                            **SMALL)
    assert ds.folder.stems == [stems[1], stems[4]]
    stems_file.write_text('no_such_stem\n')
    with pytest.raises(DatasetError, match='no_such_stem'):
        PseudoVideoDataset(data_root=saliency_root, ann_file=str(stems_file))


def test_msra_layout(msra_root):
    ds = PseudoVideoDataset(data_root=str(msra_root), img_dir='Imgs', mask_dir='Imgs',
                            img_suffix='.jpg', **SMALL)
    assert len(ds) == 3 and ds[0]['num_objects'] >= 1


def test_missing_mask_fails_at_construction(write_pair):
    mask = np.zeros((20, 20), np.uint8)
    root = write_pair('a', mask)
    write_pair('b', mask)
    (root / 'masks' / 'a.png').unlink()
    with pytest.raises(DatasetError, match=str(root / 'images' / 'a.png')):
        PseudoVideoDataset(data_root=str(root))


def test_full_pipeline_collate_and_dataloader(saliency_root):
    ds = DATASETS.build(dict(type='PseudoVideoDataset', data_root=saliency_root,
                             num_samples=2, pipeline=PIPELINE, **SMALL))
    item = ds[0]
    assert item['inputs'].dtype == torch.uint8 and item['inputs'].shape == (3, 3, 64, 64)
    sample = item['data_samples']
    assert isinstance(sample, VideoDataSample)
    assert sample.gt_masks.dtype == torch.int64 and sample.gt_masks.shape == (3, 64, 64)
    assert sample.superpixels.dtype == torch.int64 and sample.superpixels.shape == (3, 64, 64)
    assert sample.template_stem == ds.folder.stems[0] and sample.img_shape == (64, 64)
    batch = pseudo_collate([ds[0], ds[1]])
    assert len(batch['inputs']) == 2 and len(batch['data_samples']) == 2
    loader = torch.utils.data.DataLoader(ds, batch_size=2, collate_fn=pseudo_collate)
    batch = next(iter(loader))
    assert torch.equal(batch['inputs'][0], item['inputs'])
    assert pickle.loads(pickle.dumps(ds))[1]['inputs'].shape == (3, 3, 64, 64)


@pytest.mark.parametrize('sampler', ['DefaultSampler', 'InfiniteSampler'])
def test_runner_dataloader(saliency_root, sampler):
    ds = PseudoVideoDataset(data_root=saliency_root, num_frames=2, frame_size=(32, 32),
                            pipeline=[dict(type='PackVideoInputs')])
    loader = Runner.build_dataloader(dict(dataset=ds, batch_size=2, num_workers=0,
                                          sampler=dict(type=sampler, shuffle=True),
                                          collate_fn=dict(type='pseudo_collate')), seed=0)
    batch = next(iter(loader))
    assert len(batch['inputs']) == 2 and batch['inputs'][0].shape == (2, 3, 32, 32)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get('SHLS_SLOW_TESTS') != '1', reason='SHLS_SLOW_TESTS=1')
def test_full_shared_saliency_folder():
    root = os.environ.get('SHLS_SALIENCY_ROOT', '/work/shared/data/saliency')
    if not os.path.isdir(root):
        pytest.skip(f'{root} not available')
    ds = PseudoVideoDataset(data_root=root, frame_size=(128, 128))
    assert len(ds) == 325
    counts = [ds[i]['num_objects'] for i in range(len(ds))]
    assert min(counts) >= 1 and max(counts) <= 3
