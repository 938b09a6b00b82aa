"""Tests of shls.datasets.image_mask_folder (listing, mask decoding, errors)."""
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from shls.datasets.image_mask_folder import (DatasetError, ImageMaskFolder, read_object_mask,
                                             read_rgb)

DAVIS_PALETTE = [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0] + [200] * (252 * 3)


def _blobs(shape=(64, 80), boxes=((10, 10, 30, 30), )):
    mask = np.zeros(shape, np.uint8)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = 255
    return mask


def _assert_one_line_naming(err, path):
    message = str(err.value)
    assert '\n' not in message
    assert str(path) in message


def test_folder_layout_reads_fixtures(saliency_path):
    folder = ImageMaskFolder(str(saliency_path / 'images'), str(saliency_path / 'masks'))
    assert len(folder) == 8
    assert folder.stems == sorted(folder.stems)
    image, labels = folder.load(0)
    assert image.dtype == np.uint8 and image.shape[2] == 3
    assert labels.dtype == np.int32 and labels.shape == image.shape[:2]
    assert labels.max() >= 1


def test_msra_layout_same_folder(msra_root, saliency_path):
    imgs = str(msra_root / 'Imgs')
    folder = ImageMaskFolder(imgs, imgs, img_suffix='.jpg', mask_suffix='.png')
    assert len(folder) == 3
    assert all(p.endswith('.jpg') for p in folder.img_paths.values())
    # Even with '.png' among the image suffixes, the masks are not listed as images.
    assert len(ImageMaskFolder(imgs, imgs)) == 3
    ref = ImageMaskFolder(str(saliency_path / 'images'), str(saliency_path / 'masks'))
    np.testing.assert_array_equal(folder.load_mask(0), ref.load_mask(0))


def test_subset_and_unknown_stem(saliency_path):
    folder = ImageMaskFolder(str(saliency_path / 'images'), str(saliency_path / 'masks'))
    sub = folder.subset(folder.stems[-2:])
    assert sub.stems == folder.stems[-2:] and len(folder) == 8
    with pytest.raises(DatasetError, match='nope'):
        folder.subset(['nope'])


def test_palette_mask_gives_one_object_per_id(tmp_path):
    ids = np.zeros((40, 50), np.uint8)
    ids[:10, :10] = 1
    ids[30:, 40:] = 1  # disconnected parts of one id stay one object
    ids[15:25, 20:30] = 3
    ids[0:5, 45:50] = 255  # void → background
    img = Image.fromarray(ids, mode='P')
    img.putpalette(DAVIS_PALETTE)
    img.save(tmp_path / 'm.png')
    labels = read_object_mask(str(tmp_path / 'm.png'), min_object_area=0.0)
    assert set(np.unique(labels)) == {0, 1, 2}
    assert (labels[:10, :10] == 1).all() and (labels[30:, 40:] == 1).all()
    assert (labels[15:25, 20:30] == 2).all() and (labels[0:5, 45:50] == 0).all()


def test_real_davis2017_palette_mask(saliency_path):
    path = saliency_path.parent / 'davis2017/Annotations/480p/tennis/00000.png'
    assert set(np.unique(read_object_mask(str(path), min_object_area=0.0))) == {0, 1, 2}
    # Object 2 covers 362 px < 0.1 % of 854x480: merged into the background by default.
    assert set(np.unique(read_object_mask(str(path)))) == {0, 1}
    # cv2 would return the palette *colours* here, not the ids.
    assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).ndim == 3


def test_gray_palette_is_thresholded(tmp_path):
    img = Image.fromarray(_blobs(), mode='L').convert('P')
    img.save(tmp_path / 'g.png')
    assert Image.open(tmp_path / 'g.png').mode == 'P'
    assert set(np.unique(read_object_mask(str(tmp_path / 'g.png')))) == {0, 1}
    # Binary palette (black, white) with indices 0/1: gray levels 0/255, one object.
    img = Image.fromarray((_blobs() > 0).astype(np.uint8), mode='P')
    img.putpalette([0, 0, 0, 255, 255, 255])
    img.save(tmp_path / 'b.png')
    assert set(np.unique(read_object_mask(str(tmp_path / 'b.png')))) == {0, 1}


def test_soft_mask_threshold(tmp_path):
    soft = np.tile(np.arange(256, dtype=np.uint8), (20, 1))
    cv2.imwrite(str(tmp_path / 's.png'), soft)
    for threshold in (1, 128, 200):
        labels = read_object_mask(str(tmp_path / 's.png'), threshold=threshold)
        assert (labels > 0).sum(axis=1)[0] == 256 - threshold


def test_grabcut_band_follows_threshold(saliency_path):
    path = str(saliency_path / 'masks' / 'grabcut_124080.png')
    raw = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    band = raw == 128
    assert band.any()
    assert (read_object_mask(path, threshold=128)[band] > 0).all()
    assert (read_object_mask(path, threshold=129)[band] == 0).all()


def test_binary_components_sorted_and_small_merged(tmp_path):
    mask = _blobs((100, 100), boxes=((0, 0, 10, 10), (50, 50, 80, 80), (95, 95, 98, 98)))
    cv2.imwrite(str(tmp_path / 'b.png'), mask)
    labels = read_object_mask(str(tmp_path / 'b.png'), min_object_area=0.001)
    assert labels.max() == 2 and (labels[50:80, 50:80] == 1).all()  # largest first
    assert (labels[95:98, 95:98] == 0).all()  # 9 px < 0.1 % of 10000 px


def test_connectivity(tmp_path):
    mask = np.zeros((20, 20), np.uint8)
    mask[5:10, 5:10] = 255
    mask[10:15, 10:15] = 255  # touches the first blob diagonally only
    cv2.imwrite(str(tmp_path / 'c.png'), mask)
    assert read_object_mask(str(tmp_path / 'c.png'), connectivity=8).max() == 1
    assert read_object_mask(str(tmp_path / 'c.png'), connectivity=4).max() == 2


def test_missing_mask_is_reported_at_construction(write_pair):
    root = write_pair('a', _blobs())
    write_pair('b', _blobs())
    (root / 'masks' / 'b.png').unlink()
    with pytest.raises(DatasetError) as err:
        ImageMaskFolder(str(root / 'images'), str(root / 'masks'))
    _assert_one_line_naming(err, root / 'images' / 'b.png')


def test_empty_and_missing_folders(tmp_path):
    (tmp_path / 'images').mkdir()
    (tmp_path / 'masks').mkdir()
    with pytest.raises(DatasetError) as err:
        ImageMaskFolder(str(tmp_path / 'images'), str(tmp_path / 'masks'))
    _assert_one_line_naming(err, tmp_path / 'images')
    with pytest.raises(DatasetError) as err:
        ImageMaskFolder(str(tmp_path / 'nope'), str(tmp_path / 'masks'))
    _assert_one_line_naming(err, tmp_path / 'nope')


def test_duplicate_stems(write_pair):
    root = write_pair('a', _blobs())
    cv2.imwrite(str(root / 'images' / 'a.jpg'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError, match='stem'):
        ImageMaskFolder(str(root / 'images'), str(root / 'masks'))


def test_size_mismatch_is_reported_at_load(write_pair):
    root = write_pair('a', _blobs((64, 80)), np.zeros((60, 80, 3), np.uint8))
    folder = ImageMaskFolder(str(root / 'images'), str(root / 'masks'))
    with pytest.raises(DatasetError) as err:
        folder.load(0)
    _assert_one_line_naming(err, root / 'masks' / 'a.png')
    assert str(root / 'images' / 'a.png') in str(err.value)


@pytest.mark.parametrize('which', ['images', 'masks'])
def test_corrupt_file_is_reported_at_load(write_pair, which):
    root = write_pair('a', _blobs())
    bad = root / which / 'a.png'
    bad.write_bytes(b'not a png at all')
    folder = ImageMaskFolder(str(root / 'images'), str(root / 'masks'))
    with pytest.raises(DatasetError) as err:
        folder.load(0)
    _assert_one_line_naming(err, bad)


def test_truncated_mask_is_reported(write_pair, saliency_path):
    root = write_pair('a', _blobs())
    src = (saliency_path / 'masks' / 'grabcut_124080.png').read_bytes()
    (root / 'masks' / 'a.png').write_bytes(src[:len(src) // 2])
    with pytest.raises(DatasetError) as err:
        read_object_mask(str(root / 'masks' / 'a.png'))
    _assert_one_line_naming(err, root / 'masks' / 'a.png')


def test_read_rgb_channel_order(tmp_path):
    bgr = np.zeros((4, 4, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV order
    cv2.imwrite(str(tmp_path / 'x.png'), bgr)
    rgb = read_rgb(str(tmp_path / 'x.png'))
    assert (rgb[..., 2] == 255).all() and (rgb[..., 0] == 0).all()
    shutil.rmtree(tmp_path)
    with pytest.raises(DatasetError):
        read_rgb(str(tmp_path / 'x.png'))


def test_rgb_16bit_and_bilevel_masks(tmp_path):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[2:8, 2:8] = (128, 0, 0)
    rgb[10:18, 10:28] = (0, 128, 0)
    Image.fromarray(rgb).save(tmp_path / 'rgb.png')
    labels = read_object_mask(str(tmp_path / 'rgb.png'))
    assert labels.max() == 2 and (labels[2:8, 2:8] > 0).all()
    Image.fromarray(np.stack([_blobs()] * 3, axis=-1)).save(tmp_path / 'gray_rgb.png')
    assert read_object_mask(str(tmp_path / 'gray_rgb.png')).max() == 1
    cv2.imwrite(str(tmp_path / 'deep.png'), _blobs().astype(np.uint16) * 257)
    assert Image.open(tmp_path / 'deep.png').mode.startswith('I;16')
    np.testing.assert_array_equal(read_object_mask(str(tmp_path / 'deep.png')) > 0, _blobs() > 0)
    Image.fromarray(_blobs() > 0).save(tmp_path / 'bilevel.png')
    assert Image.open(tmp_path / 'bilevel.png').mode == '1'
    np.testing.assert_array_equal(read_object_mask(str(tmp_path / 'bilevel.png')) > 0,
                                  _blobs() > 0)
