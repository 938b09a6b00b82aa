"""The bad-input catalogue: every mistake a user can make with their own data.

Each error case breaks one input of a valid kit and runs a tool's ``main()`` in this
process; it must end with exit code 2, a last stderr line ``error: ...`` that names the
file or key, no traceback, and no (half-)written output. The documented-behaviour cases
check inputs that are accepted on purpose (and what is made of them).
"""
import os
import shutil
import sys
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from shls.apis import init_segmenter, segment_video, segment_video_to_disk
from shls.datasets import read_mask, write_palette_png
from shls.visualization.palette import DAVIS_PALETTE
from .bad_input_kit import (DAVIS_BASE, NUM_FRAMES, REPO, SIZE, TINY_CONFIG, Kit, build_kit,
                            call_tool, listing, save_random_checkpoint, truncate,
                            unwritable_dir)
from .conftest import CPU_CONFIG, TINY_OPTIONS, run_tool

YOUTUBE_BASE = DAVIS_BASE.parent / 'youtube_vos.py'
SALIENCY = REPO / 'tests' / 'fixtures' / 'saliency'


class Case(NamedTuple):
    """A tool run that must fail with one line naming ``names``."""

    tool: str
    argv: List[str]
    names: List[str]  # fragments the error line must contain
    out: Optional[Path] = None  # must hold no file afterwards


CASES: Dict[str, Callable[[Kit, Path], Case]] = {}


def case(func: Callable[[Kit, Path], Case]) -> Callable[[Kit, Path], Case]:
    """Register a catalogue case under its function name."""
    CASES[func.__name__] = func
    return func


@pytest.fixture(scope='module')
def kit(tmp_path_factory) -> Kit:
    return build_kit(tmp_path_factory.mktemp('kit'))


def copy_frames(kit: Kit, tmp: Path) -> Path:
    frames = tmp / 'frames'
    shutil.copytree(kit.frames, frames)
    return frames


def demo(kit: Kit, tmp: Path, frames=None, mask=None, *extra) -> List[str]:
    return [frames or kit.frames, '--mask', mask or kit.first_mask, '--out', tmp / 'out',
            '--config', TINY_CONFIG, '--checkpoint', kit.checkpoint, *extra]


def tool_test_args(kit: Kit, tmp: Path, checkpoint=None, *options) -> List[str]:
    return [kit.config, checkpoint or kit.checkpoint, '--work-dir', tmp / 'work', '--out',
            tmp / 'out', '--device', 'cpu', *(['--cfg-options', *options] if options else [])]


# ----------------------------------------------------------------- frames and videos
@case
def demo_missing_frame_folder(kit, tmp):
    return Case('demo', demo(kit, tmp, tmp / 'no such folder'), ['input not found',
                                                                 'no such folder'], tmp / 'out')


@case
def demo_truncated_jpeg(kit, tmp):
    frames = copy_frames(kit, tmp)
    truncate(frames / '00002.jpg')
    return Case('demo', demo(kit, tmp, frames), ['truncated JPEG', '00002.jpg'], tmp / 'out')


@case
def demo_unreadable_jpeg(kit, tmp):
    frames = copy_frames(kit, tmp)
    (frames / '00001.jpg').write_bytes(b'this is not an image')
    return Case('demo', demo(kit, tmp, frames), ['cannot decode frame', '00001.jpg'],
                tmp / 'out')


@case
def demo_truncated_png_frame(kit, tmp):
    frames = tmp / 'png_frames'
    frames.mkdir()
    for path in sorted(kit.frames.iterdir()):
        cv2.imwrite(str(frames / f'{path.stem}.png'), cv2.imread(str(path)))
    truncate(frames / '00003.png', 0.6)
    return Case('demo', demo(kit, tmp, frames), ['cannot decode frame', '00003.png'], tmp / 'out')


@case
def demo_frames_of_mixed_sizes(kit, tmp):
    frames = copy_frames(kit, tmp)
    img = cv2.imread(str(frames / '00002.jpg'))
    cv2.imwrite(str(frames / '00002.jpg'), cv2.resize(img, (SIZE[0] // 2, SIZE[1] // 2)))
    return Case('demo', demo(kit, tmp, frames), ['00002.jpg', f'{SIZE[0] // 2}x{SIZE[1] // 2}'],
                tmp / 'out')


@case
def demo_mp4_with_zero_frames(kit, tmp):
    video = tmp / 'empty.mp4'
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*'mp4v'), 10, SIZE)
    writer.release()
    if not video.exists():
        video.write_bytes(b'')
    return Case('demo', demo(kit, tmp, video), ['empty.mp4'], tmp / 'out')


# ------------------------------------------------------------------------------ masks
@case
def demo_missing_mask(kit, tmp):
    return Case('demo', demo(kit, tmp, None, tmp / 'nope.png'), ['mask file not found',
                                                                 'nope.png'], tmp / 'out')


@case
def demo_truncated_png_mask(kit, tmp):
    mask = tmp / 'cut.png'
    shutil.copy(kit.first_mask, mask)
    truncate(mask, 0.6)
    return Case('demo', demo(kit, tmp, None, mask), ['cannot read mask', 'cut.png'],
                tmp / 'out')


@case
def demo_first_mask_of_another_size(kit, tmp):
    mask = tmp / 'big.png'
    write_palette_png(mask, cv2.resize(read_mask(kit.first_mask), (SIZE[0] + 8, SIZE[1]),
                                       interpolation=cv2.INTER_NEAREST))
    return Case('demo', demo(kit, tmp, None, mask), ['big.png', f'{SIZE[0] + 8}x{SIZE[1]}'],
                tmp / 'out')


@case
def demo_rgb_mask_with_unknown_colour(kit, tmp):
    mask = tmp / 'rgb.png'
    rgb = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    rgb[10:20, 10:30] = (12, 34, 56)
    Image.fromarray(rgb).save(mask)
    return Case('demo', demo(kit, tmp, None, mask), ['(12, 34, 56)', 'rgb.png'], tmp / 'out')


@case
def demo_16bit_mask_beyond_255(kit, tmp):
    mask = tmp / 'deep.png'
    ids = read_mask(kit.first_mask).astype(np.uint16) * 1000
    cv2.imwrite(str(mask), ids)
    return Case('demo', demo(kit, tmp, None, mask), ['outside 0..255', 'deep.png'],
                tmp / 'out')


@case
def demo_mask_without_object(kit, tmp):
    mask = tmp / 'none.png'
    write_palette_png(mask, np.zeros((SIZE[1], SIZE[0]), np.uint8))
    return Case('demo', demo(kit, tmp, None, mask), ['no object', 'none.png'], tmp / 'out')


@case
def demo_mask_only_void(kit, tmp):
    mask = tmp / 'void.png'
    write_palette_png(mask, np.full((SIZE[1], SIZE[0]), 255, np.uint8))
    return Case('demo', demo(kit, tmp, None, mask), ['no object', 'void.png'], tmp / 'out')


# ------------------------------------------------------------ configs and checkpoints
@case
def demo_unknown_config_key(kit, tmp):
    return Case('demo', demo(kit, tmp, None, None, '--cfg-options', 'model.hed.x=1'),
                ["unknown config key 'model.hed.x'", "did you mean 'head'"], tmp / 'out')


@case
def demo_checkpoint_of_another_config(kit, tmp):
    other = tmp / 'other_config.py'
    other.write_text(f'_base_ = {str(TINY_CONFIG)!r}\nmodel = dict(head=dict(out_channels=16))\n')
    save_random_checkpoint(other, tmp / 'other.pth')
    return Case('demo', demo(kit, tmp, None, None, '--checkpoint', tmp / 'other.pth'),
                ['other.pth', 'does not fit the model', 'with another shape'], tmp / 'out')


@case
def demo_truncated_checkpoint(kit, tmp):
    ckpt = tmp / 'cut.pth'
    shutil.copy(kit.checkpoint, ckpt)
    truncate(ckpt)
    return Case('demo', demo(kit, tmp, None, None, '--checkpoint', ckpt),
                ['cannot read checkpoint', 'cut.pth'], tmp / 'out')


@case
def demo_unwritable_output(kit, tmp):
    out = unwritable_dir(tmp)
    argv = demo(kit, tmp)
    argv[argv.index('--out') + 1] = out
    return Case('demo', argv, ['not writable', str(out)])


@case
def demo_cuda_without_a_gpu(kit, tmp):
    return Case('demo', demo(kit, tmp, None, None, '--device', 'cuda'),
                ['device cuda requested but CUDA is not available'], tmp / 'out')


# --------------------------------------------------------------------- tools/test.py
@case
def cli_test_cuda_without_a_gpu(kit, tmp):
    argv = tool_test_args(kit, tmp)
    argv[argv.index('--device') + 1] = 'cuda'
    return Case('test', argv, ['--device cuda: no CUDA device is available'], tmp / 'out')


@case
def cli_test_davis_root_without_imagesets(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    shutil.rmtree(root / 'ImageSets')
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}'),
                ['split file not found', 'val.txt'], tmp / 'out')


@case
def cli_test_sequence_listed_but_missing(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    (root / 'ImageSets' / '2017' / 'val.txt').write_text('blackswan\nghost\n')
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}'),
                ["DAVIS sequence 'ghost'", 'ghost'], tmp / 'out')


@case
def cli_test_first_annotation_without_object(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    first = root / 'Annotations' / '480p' / 'blackswan' / '00000.png'
    write_palette_png(first, np.zeros((SIZE[1], SIZE[0]), np.uint8))
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}',
                                  'test_dataloader.dataset.sequences=[blackswan]'),
                ['no object', str(first)], tmp / 'out')


@case
def cli_test_truncated_annotation(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    truncate(root / 'Annotations' / '480p' / 'car-shadow' / '00000.png', 0.6)
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}',
                                  'test_dataloader.dataset.sequences=[car-shadow]'),
                ['cannot read mask', 'car-shadow/00000.png'], tmp / 'out')


@case
def cli_test_truncated_frame(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    truncate(root / 'JPEGImages' / '480p' / 'car-shadow' / '00002.jpg')
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}',
                                  'test_dataloader.dataset.sequences=[car-shadow]'),
                ['truncated JPEG', 'car-shadow/00002.jpg'], tmp / 'out')


@case
def cli_test_youtube_vos_without_meta_json(kit, tmp):
    root = tmp / 'youtube'
    (root / 'valid' / 'JPEGImages').mkdir(parents=True)
    leaf = tmp / 'tiny_youtube.py'
    leaf.write_text(f'_base_ = [{str(TINY_CONFIG)!r}, {str(YOUTUBE_BASE)!r}]\n'
                    f'test_dataloader = dict(dataset=dict(data_root={str(root)!r}))\n')
    argv = tool_test_args(kit, tmp)
    argv[0] = leaf
    return Case('test', argv, ['meta file not found', str(root / 'valid' / 'meta.json')],
                tmp / 'out')


@case
def cli_test_unknown_config_key(kit, tmp):
    return Case('test', tool_test_args(kit, tmp, None, 'test_dataloader.dataset.resolutoin=480p'),
                ["unknown config key 'test_dataloader.dataset.resolutoin'",
                 "did you mean 'resolution'"], tmp / 'out')


@case
def cli_test_checkpoint_of_another_config(kit, tmp):
    other = tmp / 'other_config.py'
    other.write_text(f'_base_ = {str(TINY_CONFIG)!r}\n'
                     'model = dict(backbone=dict(stage_channels=(8, 16, 32, 16)))\n')
    save_random_checkpoint(other, tmp / 'other.pth')
    return Case('test', tool_test_args(kit, tmp, tmp / 'other.pth'),
                ['other.pth', 'does not fit the model', 'with another shape'], tmp / 'out')


@case
def cli_test_truncated_checkpoint(kit, tmp):
    ckpt = tmp / 'cut.pth'
    shutil.copy(kit.checkpoint, ckpt)
    truncate(ckpt)
    return Case('test', tool_test_args(kit, tmp, ckpt), ['cannot read checkpoint', 'cut.pth'],
                tmp / 'out')


@case
def cli_test_missing_checkpoint(kit, tmp):
    return Case('test', tool_test_args(kit, tmp, tmp / 'gone.pth'), ['checkpoint not found',
                                                                'gone.pth'], tmp / 'out')


@case
def cli_test_unwritable_output(kit, tmp):
    out = unwritable_dir(tmp)
    argv = tool_test_args(kit, tmp)
    argv[argv.index('--out') + 1] = out
    return Case('test', argv, ['not writable', str(out)])


# -------------------------------------------------------------------- tools/train.py
@case
def train_unknown_config_key(kit, tmp):
    return Case('train', [TINY_CONFIG, '--work-dir', tmp / 'work', '--cfg-options',
                          'model.loss.temprature=0.1'],
                ["unknown config key 'model.loss.temprature'"], tmp / 'work')


@case
def train_resume_from_truncated_checkpoint(kit, tmp):
    ckpt = tmp / 'iter_2.pth'
    shutil.copy(kit.checkpoint, ckpt)
    truncate(ckpt)
    return Case('train', [TINY_CONFIG, '--work-dir', tmp / 'work', '--resume', ckpt],
                ['cannot read checkpoint', 'iter_2.pth'])


@case
def train_resume_from_checkpoint_of_another_config(kit, tmp):
    return Case('train', [REPO / CPU_CONFIG, '--data-root', SALIENCY, '--work-dir', tmp / 'work',
                          '--resume', kit.checkpoint, '--cfg-options', *TINY_OPTIONS],
                ['--resume: checkpoint', 'tiny.pth', 'does not fit the model SHLS'],
                tmp / 'work' / 'iter_1.pth')


@case
def train_resume_from_missing_checkpoint(kit, tmp):
    return Case('train', [TINY_CONFIG, '--work-dir', tmp / 'work', '--resume', tmp / 'x.pth'],
                ['x.pth', 'does not exist'], tmp / 'work')


# -------------------------------------------------------- tools/make_pseudo_masks.py
@case
def pseudo_masks_missing_images(kit, tmp):
    return Case('make_pseudo_masks', [tmp / 'no images', tmp / 'masks'],
                ['does not exist', 'no images'], tmp / 'masks')


@case
def pseudo_masks_unwritable_output(kit, tmp):
    out = unwritable_dir(tmp)
    return Case('make_pseudo_masks', [kit.frames, out], ['not writable', str(out)])


# ------------------------------------------- output safety: never replace an input
def _gt_folder(kit: Kit, tmp: Path) -> Path:
    gt = tmp / 'gt'
    shutil.copytree(kit.davis / 'Annotations' / '480p' / 'blackswan', gt)
    return gt


def _with_out(argv: List[str], out) -> List[str]:
    argv = list(argv)
    argv[argv.index('--out') + 1] = out
    return argv


@case
def demo_out_is_the_frame_folder(kit, tmp):
    frames = copy_frames(kit, tmp)
    return Case('demo', _with_out(demo(kit, tmp, frames), frames),
                ['refusing to write --out', 'it is the input frames', str(frames)])


@case
def demo_out_is_the_ground_truth_folder(kit, tmp):
    gt = _gt_folder(kit, tmp)
    return Case('demo', _with_out(demo(kit, tmp, None, None, '--gt', gt), gt),
                ['refusing to write --out', 'it is the ground truth', str(gt)])


@case
def demo_out_contains_the_first_mask(kit, tmp):
    gt = _gt_folder(kit, tmp)
    return Case('demo', _with_out(demo(kit, tmp, None, gt / '00000.png'), tmp),
                ['refusing to write --out', 'it contains the mask', '00000.png'])


@case
def demo_out_inside_the_frame_folder(kit, tmp):
    frames = copy_frames(kit, tmp)
    return Case('demo', _with_out(demo(kit, tmp, frames), frames / 'masks'),
                ['refusing to write --out', 'it lies inside the input frames', str(frames)],
                frames / 'masks')


@case
def demo_out_is_a_folder_shls_did_not_write(kit, tmp):
    mine = tmp / 'my_pngs'
    mine.mkdir()
    shutil.copy(kit.first_mask, mine / 'keep.png')
    return Case('demo', _with_out(demo(kit, tmp), mine),
                ['refusing to replace output folder', 'no .complete marker', str(mine)])


@case
def cli_test_out_is_the_annotations_folder(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    argv = tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}')
    return Case('test', _with_out(argv, root / 'Annotations' / '480p'),
                ['refusing to write --out', 'lies inside the test data root', str(root)])


@case
def cli_test_work_dir_inside_the_data_root(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    argv = tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}')
    argv[argv.index('--work-dir') + 1] = root / 'work'
    return Case('test', argv, ['refusing to write --work-dir', 'lies inside the test data root'],
                root / 'work')


@case
def pseudo_masks_out_is_the_image_folder(kit, tmp):
    images = tmp / 'pngs'
    images.mkdir()
    for path in sorted(kit.frames.iterdir()):
        cv2.imwrite(str(images / f'{path.stem}.png'), cv2.imread(str(path)))
    return Case('make_pseudo_masks', [images, images, '--overwrite'],
                ['refusing to write OUT_DIR', 'it is the images folder', str(images)])


@case
def pseudo_masks_out_holds_pngs_shls_did_not_make(kit, tmp):
    out = tmp / 'masks'
    out.mkdir()
    shutil.copy(kit.first_mask, out / '00000.png')
    return Case('make_pseudo_masks', [kit.frames, out, '--overwrite'],
                ['refusing to use', str(out), 'no .pseudo_masks.json record'])


@case
def publish_model_out_is_the_checkpoint(kit, tmp):
    ckpt = tmp / 'run.pth'
    shutil.copy(kit.checkpoint, ckpt)
    return Case('misc/publish_model', [ckpt, ckpt], ['refusing to write output file',
                                                     'it is the checkpoint', 'run.pth'])


@case
def train_work_dir_inside_the_data_root(kit, tmp):
    data = tmp / 'saliency'
    shutil.copytree(SALIENCY, data)
    return Case('train', [REPO / CPU_CONFIG, '--data-root', data, '--work-dir', data / 'work',
                          '--cfg-options', *TINY_OPTIONS],
                ['refusing to write --work-dir', 'lies inside the training data root'],
                data / 'work')


# --------------------------------------------------- frame order and annotations
@case
def demo_two_frames_with_the_same_stem(kit, tmp):
    frames = copy_frames(kit, tmp)
    cv2.imwrite(str(frames / '00002.png'), cv2.imread(str(frames / '00002.jpg')))
    return Case('demo', demo(kit, tmp, frames), ['two frames have the same name or number',
                                                 '00002.jpg', '00002.png'], tmp / 'out')


@case
def demo_frames_with_one_number_written_twice(kit, tmp):
    frames = copy_frames(kit, tmp)
    shutil.copy(frames / '00003.jpg', frames / '3.jpg')
    return Case('demo', demo(kit, tmp, frames), ['two frames have the same name or number',
                                                 '00003.jpg', '3.jpg'], tmp / 'out')


@case
def demo_frames_with_decimal_names(kit, tmp):
    frames = tmp / 'decimals'
    frames.mkdir()
    for path, name in zip(sorted(kit.frames.iterdir()), ('t0.25', 't0.5', 't0.75', 't1.0')):
        shutil.copy(path, frames / f'{name}.jpg')
    return Case('demo', demo(kit, tmp, frames), ['frame names sort ambiguously', 't0.5.jpg',
                                                 't0.25.jpg', 'zero-padded'], tmp / 'out')


@case
def cli_test_annotation_without_a_frame(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    orphan = root / 'Annotations' / '480p' / 'blackswan' / '00009.png'
    shutil.copy(root / 'Annotations' / '480p' / 'blackswan' / '00001.png', orphan)
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}'),
                ['annotation', str(orphan), 'has no frame'], tmp / 'out')


@case
def cli_test_two_frames_with_the_same_stem(kit, tmp):
    root = tmp / 'davis'
    shutil.copytree(kit.davis, root)
    seq = root / 'JPEGImages' / '480p' / 'car-shadow'
    cv2.imwrite(str(seq / '00001.png'), cv2.imread(str(seq / '00001.jpg')))
    return Case('test', tool_test_args(kit, tmp, None, f'test_dataloader.dataset.data_root={root}'),
                ['two frames have the same name', '00001.jpg', '00001.png'], tmp / 'out')


@case
def train_masks_without_any_object(kit, tmp):
    data = tmp / 'empty_masks'
    shutil.copytree(SALIENCY, data)
    for mask in (data / 'masks').iterdir():
        h, w = read_mask(mask).shape
        cv2.imwrite(str(mask), np.zeros((h, w), np.uint8))
    return Case('train', [REPO / CPU_CONFIG, '--data-root', data, '--work-dir', tmp / 'work',
                          '--cfg-options', *TINY_OPTIONS],
                ['no object in any of the', 'masks', 'nothing to train on'],
                tmp / 'work' / 'iter_1.pth')


# ------------------------------------------------------ crashes and unclear errors
@case
def demo_device_that_torch_lacks(kit, tmp):
    return Case('demo', demo(kit, tmp, None, None, '--device', 'mps'),
                ['device mps is not available'], tmp / 'out')


@case
def demo_cfg_option_of_the_wrong_type(kit, tmp):
    return Case('demo', demo(kit, tmp, None, None, '--cfg-options', 'model.memory.k=abc'),
                ['model.memory.k=abc', 'expected an integer', "'abc'"], tmp / 'out')


@case
def cli_test_cfg_option_of_the_wrong_type(kit, tmp):
    return Case('test', tool_test_args(kit, tmp, None, 'model.memory.ratio=abc'),
                ['model.memory.ratio=abc', 'expected a number'], tmp / 'out')


@case
def train_cfg_option_of_the_wrong_type(kit, tmp):
    return Case('train', [TINY_CONFIG, '--work-dir', tmp / 'work', '--cfg-options',
                          'model.memory.k=abc'],
                ['model.memory.k=abc', 'expected an integer'], tmp / 'work')


@case
def demo_memory_value_out_of_range(kit, tmp):
    return Case('demo', demo(kit, tmp, None, None, '--cfg-options', 'model.memory.ratio=2'),
                ['ConfigError', '0 < ratio <= 1', 'ratio=2'], tmp / 'out')


@case
def cli_test_memory_value_out_of_range(kit, tmp):
    return Case('test', tool_test_args(kit, tmp, None, 'model.memory.k=0'),
                ['ConfigError', 'need k >= 1'], tmp / 'out')


@case
def cli_test_work_dir_is_a_file(kit, tmp):
    work = tmp / 'work'
    work.write_text('a file')
    return Case('test', tool_test_args(kit, tmp), ['--work-dir is not writable', str(work),
                                                   'is a file'], tmp / 'out')


@case
def train_work_dir_is_a_file(kit, tmp):
    work = tmp / 'work'
    work.write_text('a file')
    return Case('train', [TINY_CONFIG, '--work-dir', work], ['--work-dir is not writable',
                                                             str(work), 'is a file'])


@case
def demo_one_pixel_frames(kit, tmp):
    frames = tmp / 'dots'
    frames.mkdir()
    for t in range(3):
        cv2.imwrite(str(frames / f'{t:05d}.png'), np.full((1, 1, 3), 40 * t, np.uint8))
    mask = tmp / 'dot.png'
    write_palette_png(mask, np.ones((1, 1), np.uint8))
    return Case('demo', demo(kit, tmp, frames, mask), ['00000.png is 1x1',
                                                       'at least 2x2'], tmp / 'out')


@case
def demo_ground_truth_of_another_size(kit, tmp):
    gt = _gt_folder(kit, tmp)
    write_palette_png(gt / '00002.png', np.zeros((SIZE[1] // 2, SIZE[0] // 2), np.uint8))
    return Case('demo', demo(kit, tmp, None, None, '--gt', gt),
                ['--gt: annotation', '00002.png', f'{SIZE[0] // 2}x{SIZE[1] // 2}'], tmp / 'out')


@case
def demo_ground_truth_without_a_frame(kit, tmp):
    gt = _gt_folder(kit, tmp)
    shutil.copy(gt / '00001.png', gt / '00042.png')
    return Case('demo', demo(kit, tmp, None, None, '--gt', gt),
                ['--gt: annotation', '00042.png', 'names no frame'], tmp / 'out')


@case
def demo_ground_truth_with_two_annotations(kit, tmp):
    gt = tmp / 'gt'
    gt.mkdir()
    for name in ('00000.png', '00001.png'):
        shutil.copy(kit.davis / 'Annotations' / '480p' / 'blackswan' / name, gt / name)
    return Case('demo', demo(kit, tmp, None, None, '--gt', gt),
                ['--gt: 2 annotation PNGs', 'at least 3'], tmp / 'out')


@pytest.mark.parametrize('name', sorted(CASES))
def test_bad_input(kit, tmp_path, monkeypatch, capsys, request, name):
    if 'cuda' in name and torch.cuda.is_available():
        pytest.skip('a CUDA device is present')
    spec = CASES[name](kit, tmp_path)
    code, _, err = call_tool(spec.tool, spec.argv, monkeypatch, capsys)
    lines = err.strip().splitlines()
    assert code == 2, err[-2000:]
    assert lines and lines[-1].startswith('error: '), lines[-5:]
    assert 'Traceback' not in err
    for fragment in spec.names:
        assert fragment in lines[-1], (fragment, lines[-1])
    if spec.out is not None:
        assert listing(spec.out) == [], listing(spec.out)
    if request.config.getoption('capture') == 'no':  # pytest -s: the catalogue of messages
        with capsys.disabled():
            print(f'{name}: {lines[-1]}')


# ------------------------------------------------- accepted inputs (documented behaviour)
@pytest.fixture(scope='module')
def segmenter():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        return init_segmenter(TINY_CONFIG, device='cpu')


def _first_prediction(segmenter, kit: Kit, mask) -> np.ndarray:
    return next(iter(segment_video(segmenter, kit.frames, mask)))


def test_rgb_mask_in_davis_colours_reads_as_ids(segmenter, kit, tmp_path):
    ids = read_mask(kit.first_mask)
    Image.fromarray(DAVIS_PALETTE[ids]).save(tmp_path / 'rgb.png')
    np.testing.assert_array_equal(read_mask(tmp_path / 'rgb.png'), ids)
    pred = _first_prediction(segmenter, kit, tmp_path / 'rgb.png')
    np.testing.assert_array_equal(pred, ids)


def test_16bit_mask_within_0_255_reads_as_ids(kit, tmp_path):
    ids = read_mask(kit.first_mask)
    cv2.imwrite(str(tmp_path / 'deep.png'), ids.astype(np.uint16) * 255)  # 0/255 binary
    assert Image.open(tmp_path / 'deep.png').mode.startswith('I')
    np.testing.assert_array_equal(read_mask(tmp_path / 'deep.png'), ids)


def test_ids_that_skip_numbers_are_kept(segmenter, kit):
    ids = np.zeros((SIZE[1], SIZE[0]), np.uint8)
    ids[5:25, 5:30], ids[30:50, 40:70], ids[5:20, 75:90] = 1, 3, 200
    preds = list(segment_video(segmenter, kit.frames, ids))
    assert len(preds) == NUM_FRAMES
    np.testing.assert_array_equal(preds[0], ids)
    assert set(np.unique(np.stack(preds)).tolist()) <= {0, 1, 3, 200}


def test_void_in_the_first_mask_is_ignored(segmenter, kit):
    ids = read_mask(kit.first_mask)
    ids[:6] = 255  # a void band
    preds = list(segment_video(segmenter, kit.frames, ids))
    assert all(255 not in p for p in preds)
    np.testing.assert_array_equal(preds[0][6:], ids[6:])


def test_paths_with_spaces_and_non_ascii(kit, tmp_path, monkeypatch, capsys):
    folder = tmp_path / 'my clips' / 'vidéo ü 日本'
    shutil.copytree(kit.frames, folder / 'frames')
    shutil.copy(kit.first_mask, folder / 'première image.png')
    out = folder / 'résultats finis'
    code, stdout, err = call_tool('demo', [folder / 'frames', '--mask',
                                           folder / 'première image.png', '--out', out,
                                           '--config', TINY_CONFIG, '--checkpoint',
                                           kit.checkpoint], monkeypatch, capsys)
    assert code == 0, err[-2000:]
    assert str(out) in stdout
    assert [f'{i:05d}.png' for i in range(NUM_FRAMES)] + ['overlay.mp4'] == sorted(
        p.name for p in out.iterdir() if p.suffix in ('.png', '.mp4') and 'sheet' not in p.name)


def test_arrays_of_mixed_sizes_name_the_frame(segmenter, kit):
    frames = [np.zeros((SIZE[1], SIZE[0], 3), np.uint8)] * 2 + [np.zeros((20, 30, 3), np.uint8)]
    with pytest.raises(ValueError, match=r'frame 2 of <arrays> is 30x20'):
        list(segment_video(segmenter, frames, read_mask(kit.first_mask)))


def test_api_failure_leaves_no_output(segmenter, kit, tmp_path):
    frames = copy_frames(kit, tmp_path)
    truncate(frames / '00003.jpg')
    with pytest.raises(ValueError, match='00003.jpg'):
        segment_video_to_disk(segmenter, frames, kit.first_mask, tmp_path / 'out',
                              progress=False)
    assert not (tmp_path / 'out').exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['frames']


def test_unreadable_image_for_pseudo_masks_is_skipped(kit, tmp_path, monkeypatch, capsys):
    images = copy_frames(kit, tmp_path)
    truncate(images / '00001.jpg')
    code, stdout, err = call_tool('make_pseudo_masks', [images, tmp_path / 'masks',
                                                        '--cfg-options', 'max_side=48'],
                                  monkeypatch, capsys)
    assert code == 1 and '1 unreadable images skipped' in stdout
    assert 'warning: skipped' in err and '00001.jpg' in err
    assert sorted(p.name for p in (tmp_path / 'masks').glob('*.png')) == [
        '00000.png', '00002.png', '00003.png']


def test_test_tool_on_paths_with_spaces_and_non_ascii(kit, tmp_path, monkeypatch, capsys):
    root = tmp_path / 'my data' / 'DAVIS é 日本'
    shutil.copytree(kit.davis, root)
    out = tmp_path / 'résultats finis'
    code, stdout, err = call_tool('test', tool_test_args(
        kit, tmp_path, None, f'test_dataloader.dataset.data_root={root}')[:4] + [
            '--out', out, '--device', 'cpu', '--cfg-options',
            f'test_dataloader.dataset.data_root={root}'], monkeypatch, capsys)
    assert code == 0, err[-2000:]
    assert 'J&F-Mean' in stdout and (out / 'blackswan' / '00003.png').is_file()


def test_training_on_paths_with_spaces_and_non_ascii(repo_root, saliency_root, tmp_path):
    data = tmp_path / 'mes données' / 'images saillantes'
    shutil.copytree(saliency_root, data)
    work = tmp_path / 'travail é'
    res = run_tool(repo_root, ['tools/train.py', CPU_CONFIG, '--data-root', str(data),
                               '--work-dir', str(work), '--cfg-options', *TINY_OPTIONS,
                               'train_cfg.max_iters=1', 'train_cfg.val_interval=100',
                               'default_hooks.checkpoint.interval=1'])
    assert res.returncode == 0, res.stderr[-2000:]
    assert (work / 'iter_1.pth').is_file()


# ------------------------------ argparse-level errors (usage line, exit code 2)
@pytest.mark.parametrize('fps', ['0', '-5', 'nan', 'inf', 'fast'])
def test_demo_fps_must_be_a_positive_number(kit, tmp_path, monkeypatch, capsys, fps):
    with pytest.raises(SystemExit) as exit_info:
        call_tool('demo', demo(kit, tmp_path, None, None, '--fps', fps), monkeypatch, capsys)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert 'argument --fps' in err.strip().splitlines()[-1] and fps in err
    assert not (tmp_path / 'out').exists()


# --------------------------------------------------------------- Ctrl-C
def test_ctrl_c_is_one_line_and_exit_130(kit, tmp_path, monkeypatch, capsys):
    import shls.apis.inference as inference

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(inference, 'segment_video_to_disk', interrupted)
    monkeypatch.setattr('shls.apis.segment_video_to_disk', interrupted)
    code, _, err = call_tool('demo', demo(kit, tmp_path), monkeypatch, capsys)
    assert code == 130 and err.strip().splitlines()[-1] == 'interrupted'
    assert 'Traceback' not in err and listing(tmp_path / 'out') == []


# ------------------------------------ stale results: the fingerprint covers the data
def _demo_run(kit, tmp, monkeypatch, capsys, frames=None, mask=None, *extra):
    code, stdout, err = call_tool('demo', demo(kit, tmp, frames, mask, '--no-video', *extra),
                                  monkeypatch, capsys)
    assert code == 0, err[-2000:]
    return stdout


def test_demo_rerun_skips_only_the_same_data(kit, tmp_path, monkeypatch, capsys):
    frames = copy_frames(kit, tmp_path)
    mask = tmp_path / 'first.png'
    shutil.copy(kit.first_mask, mask)
    run = lambda: _demo_run(kit, tmp_path, monkeypatch, capsys, frames, mask)  # noqa: E731
    assert 'already done' not in run()
    assert 'already done' in run()  # same everything: skipped
    ids = read_mask(mask)
    ids[:, :SIZE[0] // 3] = 0  # the first mask edited in place (part of the object gone)
    assert (ids != read_mask(mask)).any()
    write_palette_png(mask, ids)
    assert 'already done' not in run()
    np.testing.assert_array_equal(read_mask(tmp_path / 'out' / '00000.png'), ids)
    assert 'already done' in run()
    shutil.copy(frames / '00001.jpg', frames / '00002.jpg')  # frames swapped
    assert 'already done' not in run()


def test_test_tool_other_root_is_segmented_again(kit, tmp_path, monkeypatch, capsys):
    other = tmp_path / 'other root'
    shutil.copytree(kit.davis, other)
    first = other / 'Annotations' / '480p' / 'blackswan' / '00000.png'
    ids = read_mask(first)
    ids[:, :SIZE[0] // 3] = 0
    assert (ids != read_mask(first)).any()
    write_palette_png(first, ids)

    def run(root, *extra):
        argv = [kit.config, kit.checkpoint, '--work-dir', tmp_path / 'work', '--device', 'cpu',
                *extra, '--cfg-options', f'test_dataloader.dataset.data_root={root}',
                'test_dataloader.dataset.sequences=[blackswan]']
        code, stdout, err = call_tool('test', argv, monkeypatch, capsys)
        assert code == 0, err[-2000:]
        return stdout + err

    for extra in ([], ['--out', tmp_path / 'preds']):
        assert 'already done' not in run(kit.davis, *extra)
        assert 'already done' in run(kit.davis, *extra)  # same everything: skipped
        assert 'already done' not in run(other, *extra)  # same names, other root
    roots = sorted(p.name for p in (tmp_path / 'work' / 'predictions').iterdir())
    assert len(roots) == 2 and roots[0].startswith('davis-') and roots[1].startswith('other')
    pred = read_mask(tmp_path / 'preds' / 'blackswan' / '00000.png')
    np.testing.assert_array_equal(pred, ids)  # the other root's first mask, not the first's


# ------------------------------------------- one rule for single-channel masks
def _soft_masks(kit: Kit, tmp: Path) -> Dict[str, Path]:
    """The kit's first mask (0/255 object) saved the ways users save masks."""
    binary = (read_mask(kit.first_mask) > 0).astype(np.uint8) * 255
    paths = {name: tmp / f'{name}.{ext}' for name, ext in (
        ('jpeg', 'jpg'), ('antialiased', 'png'), ('grabcut', 'png'))}
    cv2.imwrite(str(paths['jpeg']), binary, [cv2.IMWRITE_JPEG_QUALITY, 75])
    cv2.imwrite(str(paths['antialiased']), cv2.GaussianBlur(binary, (7, 7), 2))
    ring = cv2.dilate(binary, np.ones((5, 5), np.uint8)) - binary
    cv2.imwrite(str(paths['grabcut']), np.maximum(binary, (ring > 0) * np.uint8(128)))
    return paths


def test_soft_single_channel_masks_are_one_object_with_a_warning(kit, tmp_path):
    from shls.datasets.image_mask_folder import read_object_mask
    binary = read_mask(kit.first_mask) > 0
    for name, path in _soft_masks(kit, tmp_path).items():
        with pytest.warns(UserWarning, match=f'{path.name}: grayscale mask with .* one object '
                          'where value >= 128'):
            ids = read_mask(path)
        assert set(np.unique(ids).tolist()) <= {0, 1}, name
        if name == 'grabcut':  # the object and its 128 ring are object, as in training
            assert ids.astype(bool)[binary].all() and ids.sum() > binary.sum()
        else:
            assert (ids.astype(bool) == binary).mean() > 0.97, name
        training = read_object_mask(str(path), min_object_area=0) > 0
        np.testing.assert_array_equal(training, ids.astype(bool))  # the same rule


def test_few_small_grayscale_ids_stay_ids_in_every_tool(kit, tmp_path):
    from shls.datasets.image_mask_folder import read_object_mask
    ids = np.zeros((SIZE[1], SIZE[0]), np.uint8)
    ids[5:25, 5:30], ids[30:50, 40:70], ids[0:3] = 1, 3, 255
    cv2.imwrite(str(tmp_path / 'ids.png'), ids)
    np.testing.assert_array_equal(read_mask(tmp_path / 'ids.png'), ids)
    objects = read_object_mask(str(tmp_path / 'ids.png'), min_object_area=0)
    assert set(np.unique(objects).tolist()) == {0, 1, 2}  # ids 1, 3; void 255 → 0


def test_demo_reads_a_jpeg_mask_as_one_object(kit, tmp_path, monkeypatch, capsys):
    path = _soft_masks(kit, tmp_path)['jpeg']
    with pytest.warns(UserWarning, match=f'{path.name}: grayscale mask with'):
        code, _, err = call_tool('demo', demo(kit, tmp_path, None, path, '--no-video'),
                                 monkeypatch, capsys)
    assert code == 0, err[-2000:]
    assert set(np.unique(read_mask(tmp_path / 'out' / '00000.png')).tolist()) == {0, 1}


def test_tools_print_warnings_on_one_line(capsys):
    import warnings

    from shls.utils.cli import run_tool

    def tool() -> int:
        sys.stderr.write(warnings.formatwarning('a.png: soft\nmask', UserWarning, 'x.py', 1))
        return 0

    assert run_tool(tool, debug=False) == 0
    assert capsys.readouterr().err == 'warning: a.png: soft mask\n'


# --------------------------------------------------- non-UTF-8 bytes in names
@pytest.mark.skipif(sys.platform != 'linux', reason='file names are bytes on Linux only')
def test_names_with_bytes_that_are_not_utf8(kit, tmp_path, monkeypatch, capsys):
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), b'clip\xff'))
    os.mkdir(folder)
    for path in sorted(kit.frames.iterdir()):
        shutil.copy(path, os.path.join(folder, os.fsdecode(b'fr\xe9me_') + path.name))
    out = os.fsdecode(os.path.join(os.fsencode(tmp_path), b'out\xfe'))
    argv = _with_out(demo(kit, tmp_path, folder), out)
    code, stdout, err = call_tool('demo', argv, monkeypatch, capsys)
    assert code == 0, err[-2000:]
    names = sorted(os.listdir(out))
    assert 'overlay.mp4' in names and 'contact_sheet.png' in names
    assert sum(n.endswith('.png') for n in names) == NUM_FRAMES + 1


# ------------------------------------------------------ the KNN self-check
def test_knn_self_check_is_balanced_over_classes():
    from shls.evaluation.metrics.knn_accuracy import KNNAccuracy
    metric = KNNAccuracy()
    constant = [dict(knn_correct=90, knn_total=100, knn_fg_correct=0, knn_fg_total=10)]
    scores = metric.compute_metrics(constant)  # "all background" on 90 % background
    assert scores['accuracy'] == pytest.approx(50) and scores['superpixel_accuracy'] == 90
    no_object = [dict(knn_correct=100, knn_total=100, knn_fg_correct=0, knn_fg_total=0)]
    assert metric.compute_metrics(no_object)['accuracy'] == pytest.approx(50)


# ---------------------------------------------------------- atomic checkpoints
def test_checkpoints_are_written_atomically(tmp_path):
    from mmengine.fileio import get_file_backend

    from shls.engine.hooks import AtomicCheckpointHook, AtomicLocalBackend
    hook = AtomicCheckpointHook(interval=1)
    backend = get_file_backend(str(tmp_path), backend_args=hook.backend_args)
    assert isinstance(backend, AtomicLocalBackend)
    path = tmp_path / 'iter_1.pth'
    backend.put(b'complete checkpoint', str(path))

    class Killed(BaseException):
        pass

    def killed_write(*args):
        raise Killed  # a kill in the middle of the write

    import shls.datasets.mask_io as mask_io
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mask_io.os, 'replace', killed_write)
        with pytest.raises(Killed):
            backend.put(b'new bytes that never arrive', str(path))
    assert path.read_bytes() == b'complete checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['iter_1.pth']
    from mmengine.config import Config
    runtime = Config.fromfile(str(REPO / 'configs' / '_base_' / 'default_runtime.py'))
    assert runtime.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
