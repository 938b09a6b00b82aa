"""Mask writers and readers: palette, per-object and COCO RLE give back the same ids."""
import json

import numpy as np
import pytest

from shls.datasets.mask_formats import FORMATS, prediction_loader
from shls.outputs.resume import COMPLETE_MARKER, is_complete
from shls.outputs.writers import OUTPUT_SUFFIXES, writer_class


def _masks():
    """Three frames: ids 1 and 200 first, 3 appears on the last frame, 255 void once."""
    masks = np.zeros((3, 12, 16), np.uint8)
    masks[:, 2:6, 2:8] = 1
    masks[:, 7:10, 10:14] = 200
    masks[2, 0:2, 0:3] = 3
    masks[1, 11, 15] = 255
    return masks


@pytest.mark.parametrize('fmt', FORMATS)
def test_round_trip(tmp_path, fmt):
    masks = _masks()
    writer = writer_class(fmt)(str(tmp_path), run_id='abc')
    for t, mask in enumerate(masks):
        writer.write(f'f{t}', mask)
    writer.close()
    load = prediction_loader(str(tmp_path), fmt)
    for t, mask in enumerate(masks):
        expected = np.where(mask == 255, 0, mask)  # void is no object in any format
        if fmt == 'palette':
            expected = mask
        np.testing.assert_array_equal(load(f'f{t}'), expected)
    assert is_complete(str(tmp_path), fmt, 3, 'abc')
    assert not is_complete(str(tmp_path), fmt, 3, 'other run')
    assert not is_complete(str(tmp_path), fmt, 4, 'abc')
    assert all(p.suffix in OUTPUT_SUFFIXES or p.name == COMPLETE_MARKER
               for p in tmp_path.iterdir())


def test_per_object_files_cover_objects_seen_so_far(tmp_path):
    writer = writer_class('per-object')(str(tmp_path))
    for t, mask in enumerate(_masks()):
        writer.write(f'f{t}', mask)
    writer.close()
    names = sorted(p.name for p in tmp_path.glob('*.png'))
    assert names == ['f0_001.png', 'f0_200.png', 'f1_001.png', 'f1_200.png', 'f2_001.png',
                     'f2_003.png', 'f2_200.png']


def test_coco_rle_is_pycocotools_json(tmp_path):
    from pycocotools import mask as rle
    writer = writer_class('coco-rle')(str(tmp_path))
    writer.write('a', _masks()[2])
    writer.close()
    doc = json.loads((tmp_path / 'masks.json').read_text())
    assert (doc['format'], doc['height'], doc['width']) == ('coco-rle', 12, 16)
    code = doc['frames'][0]['objects']['3']
    assert rle.decode(dict(size=code['size'], counts=code['counts'].encode())).sum() == 6


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown mask format 'png'"):
        writer_class('png')
    with pytest.raises(FileNotFoundError, match='masks.json'):
        prediction_loader(str(tmp_path), 'coco-rle')('x')
    with pytest.raises(FileNotFoundError, match='no per-object mask x_<id>.png'):
        prediction_loader(str(tmp_path), 'per-object')('x')
    (tmp_path / 'masks.json').write_text('{"frames": 3}')
    with pytest.raises(ValueError, match='cannot read COCO RLE'):
        prediction_loader(str(tmp_path), 'coco-rle')('x')
