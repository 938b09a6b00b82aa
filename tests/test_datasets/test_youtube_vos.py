"""YouTubeVOSDataset: first appearances from meta.json, prompts, one-line errors."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from shls.apis import init_segmenter, segment_video_prompted
from shls.datasets import YouTubeVOSDataset, read_mask

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs', 'shls_tiny.py')


def test_items_carry_a_prompt_per_first_appearance(youtube_vos_root):
    dataset = YouTubeVOSDataset(youtube_vos_root)
    assert len(dataset) == 2
    car, swan = dataset[0], dataset[1]
    assert (car['seq_name'], swan['seq_name']) == ('car', 'swan')
    assert [osp.basename(p) for p in swan['frame_paths']] == [
        f'{5 * t:05d}.jpg' for t in range(6)]
    assert [(p['frame'], osp.basename(p['mask']), p['objects']) for p in swan['prompts']] == [
        (0, '00000.png', [1]), (2, '00010.png', [2])]
    assert swan['num_objects'] == 2 and car['num_objects'] == 1
    np.testing.assert_array_equal(swan['first_mask'], read_mask(swan['prompts'][0]['mask']))
    assert YouTubeVOSDataset(youtube_vos_root, sequences=['swan'])[0]['seq_name'] == 'swan'


def test_objects_appear_on_their_first_frame(youtube_vos_root):
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        segmenter = init_segmenter(TINY_CONFIG)
    item = YouTubeVOSDataset(youtube_vos_root, sequences=['swan'])[0]
    preds = list(segment_video_prompted(segmenter, item['frame_paths'], item['prompts']))
    assert len(preds) == 6
    assert all(2 not in p for p in preds[:2])
    square = read_mask(item['prompts'][1]['mask']) == 2
    assert (preds[2][square] == 2).all()
    np.testing.assert_array_equal(preds[0], item['first_mask'])


def _copy(root, tmp_path):
    dst = tmp_path / 'yt'
    shutil.copytree(root, dst)
    return dst


@pytest.mark.parametrize('case, message', [
    ('no_meta', 'meta file not found'),
    ('bad_meta', 'bad YouTube-VOS meta file'),
    ('missing_video', "video 'swan': frame folder not found"),
    ('unknown_video', "video 'ghost' is not in"),
    ('missing_annotation', 'annotation of the first frame of objects [2] not found'),
    ('object_not_in_annotation', 'objects [2] first appear on this frame but are not in'),
])
def test_errors_name_the_file(youtube_vos_root, tmp_path, case, message):
    root = _copy(youtube_vos_root, tmp_path)
    valid = root / 'valid'
    kwargs = {}
    if case == 'no_meta':
        os.remove(valid / 'meta.json')
    elif case == 'bad_meta':
        (valid / 'meta.json').write_text('{"videos": {"swan": {}}}')
    elif case == 'missing_video':
        shutil.rmtree(valid / 'JPEGImages' / 'swan')
    elif case == 'unknown_video':
        kwargs = dict(sequences=['ghost'])
    elif case == 'missing_annotation':
        os.remove(valid / 'Annotations' / 'swan' / '00010.png')
    else:
        shutil.copy(valid / 'Annotations' / 'swan' / '00000.png',
                    valid / 'Annotations' / 'swan' / '00010.png')
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        dataset = YouTubeVOSDataset(str(root), **kwargs)
        [dataset[i] for i in range(len(dataset))]
    assert message in str(info.value) and '\n' not in str(info.value)


def test_meta_json_of_the_fixture_is_the_official_layout(youtube_vos_root):
    with open(osp.join(youtube_vos_root, 'valid', 'meta.json')) as f:
        meta = json.load(f)
    assert meta['videos']['swan']['objects']['2']['frames'][0] == '00010'
