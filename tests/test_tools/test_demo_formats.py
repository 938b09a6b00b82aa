"""tools/demo.py: output formats, resume of a finished output, YouTube-VOS annotations."""
from pathlib import Path

import pytest

from shls.datasets import read_mask
from shls.datasets.mask_formats import prediction_loader
from .bad_input_kit import NUM_FRAMES, TINY_CONFIG, build_kit, call_tool


@pytest.fixture(scope='module')
def kit(tmp_path_factory):
    return build_kit(tmp_path_factory.mktemp('demo_formats'))


def _demo(kit, frames, mask, out: Path, monkeypatch, capsys, *extra):
    return call_tool('demo', [frames, '--mask', mask, '--out', out, '--config', TINY_CONFIG,
                              '--checkpoint', kit.checkpoint, *extra], monkeypatch, capsys)


def test_coco_rle_then_resume_then_overwrite(kit, tmp_path, monkeypatch, capsys):
    out = tmp_path / 'out'
    code, stdout, err = _demo(kit, kit.frames, kit.first_mask, out, monkeypatch, capsys,
                              '--format', 'coco-rle', '--no-video')
    assert code == 0, err[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ['.complete', 'contact_sheet.png',
                                                     'masks.json']
    load = prediction_loader(str(out), 'coco-rle')
    assert (load('00000') == read_mask(kit.first_mask)).all()
    code, stdout, _ = _demo(kit, kit.frames, kit.first_mask, out, monkeypatch, capsys,
                            '--format', 'coco-rle', '--no-video')
    assert code == 0 and f'already done: {out} holds this video' in stdout
    code, stdout, _ = _demo(kit, kit.frames, kit.first_mask, out, monkeypatch, capsys,
                            '--format', 'coco-rle', '--no-video', '--overwrite')
    assert code == 0 and 'frames/s' in stdout and 'already done' not in stdout


def test_per_object_with_amp_on_cpu(kit, tmp_path, monkeypatch, capsys):
    """--amp forces bfloat16 autocast on a CPU (test_cfg.autocast=True)."""
    out = tmp_path / 'out'
    code, stdout, err = _demo(kit, kit.frames, kit.first_mask, out, monkeypatch, capsys,
                              '--format', 'per-object', '--amp', '--no-video',
                              '--backend', 'pytorch')
    assert code == 0, err[-2000:]
    assert 'backbone on pytorch (bfloat16)' in stdout
    assert sorted(p.name for p in out.glob('0*.png')) == [
        f'{t:05d}_001.png' for t in range(NUM_FRAMES)]


def test_gt_needs_palette_masks(kit, tmp_path, monkeypatch, capsys):
    code, _, err = _demo(kit, kit.frames, kit.first_mask, tmp_path / 'out', monkeypatch,
                         capsys, '--format', 'per-object', '--gt', kit.frames)
    assert code == 2 and err.strip().splitlines()[-1] == (
        'error: ConfigError: --gt scores palette PNGs: drop --format per-object')


def test_youtube_vos_annotation_folder(kit, youtube_vos_root, tmp_path, monkeypatch, capsys):
    valid = Path(youtube_vos_root) / 'valid'
    out = tmp_path / 'out'
    code, _, err = _demo(kit, valid / 'JPEGImages' / 'swan', valid / 'Annotations' / 'swan',
                         out, monkeypatch, capsys)
    assert code == 0, err[-2000:]
    assert 2 not in read_mask(out / '00005.png') and 2 in read_mask(out / '00010.png')
    assert (out / 'overlay.mp4').is_file() and (out / 'contact_sheet.png').is_file()
