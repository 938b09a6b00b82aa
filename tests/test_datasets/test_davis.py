"""DAVISDataset, frame streaming and DAVIS mask IO on the real fixtures."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.dataset import DefaultSampler
from PIL import Image

from shls.datasets.davis import DAVISDataset, iter_frames, read_frame
from shls.datasets.mask_io import atomic_write_bytes, read_mask, write_palette_png
from shls.registry import DATASETS
from shls.visualization.palette import DAVIS_PALETTE

FIXTURES = osp.join(osp.dirname(osp.dirname(__file__)), 'fixtures')
DAVIS16 = osp.join(FIXTURES, 'davis')
DAVIS17 = osp.join(FIXTURES, 'davis2017')


def ann(root, seq, frame=0):
    return osp.join(root, 'Annotations', '480p', seq, f'{frame:05d}.png')


# ----------------------------------------------------------------------------- mask IO
def test_read_mask_palette_multi_object_with_void():
    tennis = read_mask(ann(DAVIS17, 'tennis'))
    assert tennis.dtype == np.uint8 and tennis.shape == (480, 854)
    assert set(np.unique(tennis)) == {0, 1, 2, 255}
    assert set(np.unique(read_mask(ann(DAVIS17, 'bear')))) == {0, 1}


def test_read_mask_davis2016_gray_is_object_one():
    for frame in range(6):
        mask16 = read_mask(ann(DAVIS16, 'blackswan', frame))
        assert set(np.unique(mask16)) == {0, 1}
        # The README: blackswan 2016 masks equal the 2017 palette masks (255 → 1).
        np.testing.assert_array_equal(mask16, read_mask(ann(DAVIS17, 'blackswan', frame)))


def test_read_mask_gray_other_values_and_16bit(tmp_path):
    ids = np.array([[0, 1], [2, 255]], dtype=np.uint8)
    Image.fromarray(ids).save(tmp_path / 'l.png')
    np.testing.assert_array_equal(read_mask(tmp_path / 'l.png'), ids)
    Image.fromarray(ids.astype(np.uint16)).save(tmp_path / 'i16.png')
    np.testing.assert_array_equal(read_mask(tmp_path / 'i16.png'), ids)
    Image.fromarray(np.array([[0, 300]], dtype=np.uint16)).save(tmp_path / 'big.png')
    with pytest.raises(ValueError, match='big.png'):
        read_mask(tmp_path / 'big.png')


def test_read_mask_rgb(tmp_path):
    ids = np.array([[0, 1, 2], [3, 4, 255]], dtype=np.uint8)
    Image.fromarray(DAVIS_PALETTE[ids]).save(tmp_path / 'rgb.png')
    np.testing.assert_array_equal(read_mask(tmp_path / 'rgb.png'), ids)
    rgb = DAVIS_PALETTE[ids].copy()
    rgb[0, 0] = (1, 2, 3)
    Image.fromarray(rgb).save(tmp_path / 'odd.png')
    with pytest.raises(ValueError, match=r'\(1, 2, 3\).*odd.png'):
        read_mask(tmp_path / 'odd.png')


def test_read_mask_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.png'):
        read_mask(tmp_path / 'nope.png')
    (tmp_path / 'empty.png').write_bytes(b'')
    with pytest.raises(ValueError, match='empty.png'):
        read_mask(tmp_path / 'empty.png')
    (tmp_path / 'text.png').write_text('not an image')
    with pytest.raises(ValueError, match='text.png'):
        read_mask(tmp_path / 'text.png')
    data = open(ann(DAVIS17, 'tennis'), 'rb').read()
    (tmp_path / 'cut.png').write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match='cut.png'):
        read_mask(tmp_path / 'cut.png')


def test_write_palette_png_roundtrip_atomic(tmp_path):
    mask = read_mask(ann(DAVIS17, 'tennis'))
    out = tmp_path / 'sub' / '00000.png'
    write_palette_png(out, np.zeros_like(mask))
    write_palette_png(out, mask)  # overwrites
    assert os.listdir(out.parent) == ['00000.png']  # no temporary file left
    with Image.open(out) as img:
        assert img.mode == 'P'
        np.testing.assert_array_equal(np.array(img.getpalette()).reshape(-1, 3), DAVIS_PALETTE)
    np.testing.assert_array_equal(read_mask(out), mask)
    with pytest.raises(ValueError):
        write_palette_png(tmp_path / 'bad.png', np.zeros((2, 2, 2), np.uint8))


def test_atomic_write_failure_leaves_no_temp(tmp_path, monkeypatch):
    (tmp_path / 'a.csv').write_text('old')

    def fail(src, dst):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', fail)
    with pytest.raises(OSError, match='disk full'):
        atomic_write_bytes(tmp_path / 'a.csv', b'new')
    assert os.listdir(tmp_path) == ['a.csv']
    assert (tmp_path / 'a.csv').read_text() == 'old'


# ----------------------------------------------------------------------------- frames
def test_read_frame_and_errors(tmp_path):
    jpg = osp.join(DAVIS16, 'JPEGImages', '480p', 'blackswan', '00000.jpg')
    frame = read_frame(jpg)
    assert frame.shape == (480, 854, 3) and frame.dtype == np.uint8
    data = open(jpg, 'rb').read()
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) // 2])
    (tmp_path / 'junk.jpg').write_bytes(b'\x00junk' * 10)
    (tmp_path / 'empty.jpg').write_bytes(b'')
    for name in ('cut.jpg', 'junk.jpg', 'empty.jpg'):
        with pytest.raises(ValueError, match=name):
            read_frame(str(tmp_path / name))
    with pytest.raises(FileNotFoundError, match='gone.jpg'):
        next(iter_frames([str(tmp_path / 'gone.jpg')]))


# ----------------------------------------------------------------------------- dataset
def test_dataset_items_davis2016():
    ds = DAVISDataset(DAVIS16)
    assert len(ds) == 2
    assert ds.metainfo['dataset_name'] == 'DAVIS'
    item = ds[0]
    assert item['seq_name'] == 'blackswan'
    assert [osp.basename(p) for p in item['frame_paths']] == [f'{i:05d}.jpg' for i in range(6)]
    assert len(item['mask_paths']) == 6
    assert item['first_mask'].dtype == np.uint8
    assert set(np.unique(item['first_mask'])) == {0, 1}
    assert item['num_objects'] == 1
    assert item['palette'].shape == (256, 3)
    assert 'frames' not in item
    frames = list(iter_frames(item['frame_paths'][:2]))
    assert frames[0].shape == (480, 854, 3)


def test_dataset_eager_frames_and_registry():
    ds = DATASETS.build(
        dict(type='DAVISDataset', data_root=DAVIS16, sequences=['car-shadow'], lazy=False))
    item = ds[0]
    assert item['seq_name'] == 'car-shadow'
    assert item['frames'].shape == (6, 480, 854, 3)


def test_dataset_explicit_sequences_void_removed():
    ds = DAVISDataset(DAVIS17, sequences=['tennis', 'bear'])
    tennis = ds[0]
    assert tennis['num_objects'] == 2
    assert set(np.unique(tennis['first_mask'])) == {0, 1, 2}  # void 255 → 0
    assert ds[1]['num_objects'] == 1


def test_dataset_missing_split_file():
    with pytest.raises(FileNotFoundError, match=r'ImageSets/2017/val\.txt'):
        DAVISDataset(DAVIS17)


def test_dataset_listed_sequence_missing(tmp_path):
    root = tmp_path / 'davis'
    shutil.copytree(DAVIS16, root)
    (root / 'ImageSets' / '2017' / 'val.txt').write_text('blackswan\nghost\n')
    with pytest.raises(FileNotFoundError, match='ghost'):
        DAVISDataset(str(root))


def test_dataset_corrupt_frame(tmp_path):
    root = tmp_path / 'davis'
    shutil.copytree(DAVIS16, root)
    bad = root / 'JPEGImages' / '480p' / 'car-shadow' / '00003.jpg'
    bad.write_bytes(bad.read_bytes()[:1000])
    ds = DAVISDataset(str(root), sequences=['car-shadow'])
    with pytest.raises(ValueError, match='00003.jpg'):
        list(iter_frames(ds[0]['frame_paths']))
    with pytest.raises(ValueError, match='00003.jpg'):
        DAVISDataset(str(root), sequences=['car-shadow'], lazy=False)[0]


def test_default_sampler_splits_videos_without_duplicates(monkeypatch):
    ds = DAVISDataset(DAVIS16)
    assert list(DefaultSampler(ds, shuffle=False, round_up=False)) == [0, 1]
    seen = []
    for rank in range(3):
        monkeypatch.setattr('mmengine.dataset.sampler.get_dist_info', lambda r=rank: (r, 3))
        seen += list(DefaultSampler(ds, shuffle=False, round_up=False))
    assert sorted(seen) == [0, 1]
