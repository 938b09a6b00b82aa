"""segment_video_to_disk: formats, resume, annotations on several frames; AMP and CUDA."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from shls.apis import init_segmenter, segment_video, segment_video_to_disk
from shls.apis.frame_source import open_frames
from shls.apis.prompts import prompts_from_folder
from shls.datasets import read_mask
from shls.datasets.mask_formats import prediction_loader

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs', 'shls_tiny.py')


@pytest.fixture(scope='module')
def segmenter():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        return init_segmenter(TINY_CONFIG)


@pytest.fixture(scope='module')
def swan(youtube_vos_root):
    root = osp.join(youtube_vos_root, 'valid')
    return osp.join(root, 'JPEGImages', 'swan'), osp.join(root, 'Annotations', 'swan')


@pytest.mark.parametrize('fmt', ['per-object', 'coco-rle'])
def test_formats_hold_the_palette_masks(segmenter, swan, tmp_path, fmt):
    frames, annotations = swan
    first = osp.join(annotations, '00000.png')
    segment_video_to_disk(segmenter, frames, first, str(tmp_path / 'palette'), overlay=False,
                          progress=False)
    result = segment_video_to_disk(segmenter, frames, first, str(tmp_path / fmt),
                                   overlay=False, progress=False, fmt=fmt)
    assert result.num_frames == 6 and not result.skipped
    load = prediction_loader(str(tmp_path / fmt), fmt)
    for t in range(6):
        stem = f'{5 * t:05d}'
        np.testing.assert_array_equal(load(stem), read_mask(tmp_path / 'palette' /
                                                            f'{stem}.png'))


def test_resume_skips_a_finished_output_made_the_same_way(segmenter, swan, tmp_path):
    frames, annotations = swan
    first, out = osp.join(annotations, '00000.png'), str(tmp_path / 'out')
    segment_video_to_disk(segmenter, frames, first, out, progress=False)
    stamps = {n: os.stat(osp.join(out, n)).st_mtime_ns for n in os.listdir(out)}
    again = segment_video_to_disk(segmenter, frames, first, out, progress=False, resume=True)
    assert again.skipped and again.num_frames == 6
    assert stamps == {n: os.stat(osp.join(out, n)).st_mtime_ns for n in os.listdir(out)}
    other = segment_video_to_disk(segmenter, frames, first, out, progress=False, resume=True,
                                  overlay=False)  # other settings: segmented again
    assert not other.skipped and 'overlay.mp4' not in os.listdir(out)
    os.makedirs(osp.join(tmp_path, '.out.abc123.tmp'))  # left by a killed run
    segment_video_to_disk(segmenter, frames, first, out, progress=False)
    assert sorted(os.listdir(tmp_path)) == ['out']


def test_annotation_folder_adds_objects_where_they_first_appear(segmenter, swan, tmp_path):
    frames, annotations = swan
    prompts = prompts_from_folder(annotations, open_frames(frames))
    assert [(p['frame'], p['objects']) for p in prompts] == [(0, [1]), (2, [2])]
    result = segment_video_to_disk(segmenter, frames, annotations, str(tmp_path / 'out'),
                                   progress=False)
    assert result.num_frames == 6 and osp.isfile(result.overlay)
    preds = [read_mask(tmp_path / 'out' / f'{5 * t:05d}.png') for t in range(6)]
    square = read_mask(osp.join(annotations, '00010.png')) == 2
    assert all(2 not in p for p in preds[:2]) and (preds[2][square] == 2).all()


def test_annotation_folder_errors(swan, tmp_path):
    frames, annotations = swan
    source = open_frames(frames)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no annotation PNG'):
        prompts_from_folder(str(tmp_path / 'empty'), source)
    shutil.copytree(annotations, tmp_path / 'odd')
    os.rename(tmp_path / 'odd' / '00010.png', tmp_path / 'odd' / 'frame_10.png')
    with pytest.raises(ValueError, match='frame_10.png matches no frame'):
        prompts_from_folder(str(tmp_path / 'odd'), source)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')
@pytest.mark.parametrize('amp', [False, True])
def test_cuda_gives_the_cpu_masks(swan, amp):
    """CPU and CUDA (float32, or float16 autocast) agree on all but a few pixels."""
    frames, annotations = swan
    first = osp.join(annotations, '00000.png')
    masks = {}
    for device in ('cpu', 'cuda'):
        torch.manual_seed(0)
        with pytest.warns(UserWarning, match='random weights'):
            segmenter = init_segmenter(TINY_CONFIG, device=device,
                                       autocast=amp and device == 'cuda')
        masks[device] = np.stack(list(segment_video(segmenter, frames, first)))
    disagree = (masks['cpu'] != masks['cuda']).mean()
    assert disagree < (0.02 if amp else 0.005), disagree
