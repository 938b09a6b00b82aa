"""init_segmenter, frame sources, segment_video and the all-or-nothing disk writer."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from shls.apis import (VideoSegmenter, init_segmenter, open_frames, segment_video,
                       segment_video_to_disk)
from shls.datasets import read_mask, write_palette_png

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs',
                       'shls_tiny.py')
H, W, T = 48, 64, 5


def clip(rng: np.random.Generator, t: int):
    img = (90 + rng.integers(0, 20, (H, W, 3))).astype(np.uint8)
    gt = np.zeros((H, W), np.uint8)
    img[10:26, 8 + 3 * t:24 + 3 * t] = (220, 30, 30)
    gt[10:26, 8 + 3 * t:24 + 3 * t] = 1
    return img, gt


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """A frame folder, an mp4 of it, and the first mask (PNG)."""
    root = tmp_path_factory.mktemp('video')
    rng = np.random.default_rng(0)
    frames = [clip(rng, t) for t in range(T)]
    os.makedirs(root / 'frames')
    for t, (img, _) in enumerate(frames):
        Image.fromarray(img).save(root / 'frames' / f'{t}.png')  # natural order: 0..4
    write_palette_png(root / 'first.png', frames[0][1])
    writer = cv2.VideoWriter(str(root / 'clip.mp4'), cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (W, H))
    for img, _ in frames:
        writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    writer.release()
    return root, frames


@pytest.fixture(scope='module')
def segmenter():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        return init_segmenter(TINY_CONFIG, device='cpu', cfg_options=[
            'model.test_cfg.presegmentation=eq4'])


def test_init_segmenter_and_checkpoints(segmenter, tmp_path):
    assert isinstance(segmenter, VideoSegmenter) and not segmenter.model.training
    ckpt = tmp_path / 'tiny.pth'
    state = {f'module.{k}': v for k, v in segmenter.model.state_dict().items()}
    torch.save({'state_dict': state, 'meta': {}}, ckpt)
    again = init_segmenter(TINY_CONFIG, str(ckpt), cfg_options={'model.memory.k': 3})
    assert again.memory.k == 3
    for name, p in again.model.state_dict().items():
        torch.testing.assert_close(p, segmenter.model.state_dict()[name])
    other = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.conv.weight': torch.zeros(3)}}, other)
    with pytest.raises(ValueError, match=f'checkpoint {other} does not fit') as err:
        init_segmenter(TINY_CONFIG, str(other))
    assert '\n' not in str(err.value) and 'missing' in str(err.value)
    (tmp_path / 'junk.pth').write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='cannot read checkpoint .*junk.pth'):
        init_segmenter(TINY_CONFIG, str(tmp_path / 'junk.pth'))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        init_segmenter(TINY_CONFIG, str(tmp_path / 'nope.pth'))
    with pytest.raises(ValueError, match='unknown config key'):
        init_segmenter(TINY_CONFIG, str(ckpt), cfg_options=['model.memroy.k=3'])


def test_folder_mp4_and_arrays_agree(segmenter, video):
    root, frames = video
    from_arrays = list(segment_video(segmenter, (f for f, _ in frames), frames[0][1]))
    from_folder = list(segment_video(segmenter, str(root / 'frames'), str(root / 'first.png')))
    assert len(from_arrays) == len(from_folder) == T
    for a, b in zip(from_arrays, from_folder):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(from_folder[0], frames[0][1])
    from_mp4 = list(segment_video(segmenter, str(root / 'clip.mp4'), str(root / 'first.png')))
    assert len(from_mp4) == T and from_mp4[0].shape == (H, W)
    assert open_frames(str(root / 'clip.mp4')).fps == pytest.approx(10)


def test_disk_output_is_all_or_nothing(segmenter, video, tmp_path):
    root, frames = video
    out = tmp_path / 'out'
    result = segment_video_to_disk(segmenter, str(root / 'frames'), str(root / 'first.png'),
                                   str(out), progress=False)
    assert result.num_frames == T and result.fps > 0
    assert sorted(os.listdir(out)) == ['.complete'] + [f'{t}.png' for t in range(T)] + [
        'overlay.mp4']
    np.testing.assert_array_equal(read_mask(out / '0.png'), frames[0][1])
    capture = cv2.VideoCapture(str(out / 'overlay.mp4'))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == T
    capture.release()

    bad = tmp_path / 'bad'  # an unreadable frame in the middle: the old output survives
    bad.mkdir()
    for name in sorted(os.listdir(root / 'frames')):
        (bad / name).write_bytes((root / 'frames' / name).read_bytes())
    (bad / '2.png').write_bytes(b'garbage')
    with pytest.raises(ValueError, match='2.png'):
        segment_video_to_disk(segmenter, str(bad), str(root / 'first.png'), str(out),
                              progress=False)
    assert sorted(os.listdir(tmp_path)) == ['bad', 'out']  # no temporary folder left
    assert len(os.listdir(out)) == T + 2

    (tmp_path / 'mine').mkdir()
    (tmp_path / 'mine' / 'notes.txt').write_text('keep me')
    with pytest.raises(ValueError, match='refusing to replace'):
        segment_video_to_disk(segmenter, str(root / 'frames'), str(root / 'first.png'),
                              str(tmp_path / 'mine'), progress=False)


def test_bad_inputs(segmenter, video, tmp_path):
    root, frames = video
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no frame .* in folder'):
        segment_video(segmenter, str(tmp_path / 'empty'), frames[0][1])
    (tmp_path / 'broken.mp4').write_bytes(b'\x00' * 64)
    with pytest.raises(ValueError, match='broken.mp4'):
        segment_video(segmenter, str(tmp_path / 'broken.mp4'), frames[0][1])
    with pytest.raises(FileNotFoundError, match='missing'):
        segment_video(segmenter, str(tmp_path / 'missing'), frames[0][1])
    write_palette_png(tmp_path / 'small.png', frames[0][1][:20])
    with pytest.raises(ValueError, match='first mask is 64x20 .*small.png'):
        next(segment_video(segmenter, str(root / 'frames'), str(tmp_path / 'small.png')))
    write_palette_png(tmp_path / 'none.png', np.zeros((H, W), np.uint8))
    with pytest.raises(ValueError, match='no object .*none.png'):
        segment_video(segmenter, str(root / 'frames'), str(tmp_path / 'none.png'))
