"""tools/test.py: output formats (same scores from every format), AMP on CPU, YouTube-VOS."""
from pathlib import Path

import numpy as np
import pytest

from shls.datasets import read_mask
from shls.datasets.mask_formats import prediction_loader
from .bad_input_kit import DAVIS_BASE, NUM_FRAMES, TINY_CONFIG, build_kit, call_tool

YOUTUBE_BASE = DAVIS_BASE.parent / 'youtube_vos.py'


@pytest.fixture(scope='module')
def kit(tmp_path_factory):
    return build_kit(tmp_path_factory.mktemp('formats'))


def _test(kit, out: Path, monkeypatch, capsys, *extra):
    code, stdout, err = call_tool('test', [kit.config, kit.checkpoint, '--work-dir',
                                           out.parent / 'work', '--out', out, '--device', 'cpu',
                                           *extra], monkeypatch, capsys)
    assert code == 0, err[-2000:]
    return stdout, err


def test_every_format_scores_the_same(kit, tmp_path, monkeypatch, capsys):
    _test(kit, tmp_path / 'palette', monkeypatch, capsys)
    reference = (tmp_path / 'palette' / 'global_results-val.csv').read_text()
    for fmt in ('per-object', 'coco-rle'):
        _test(kit, tmp_path / fmt, monkeypatch, capsys, '--format', fmt)
        assert (tmp_path / fmt / 'global_results-val.csv').read_text() == reference
        for seq in ('blackswan', 'car-shadow'):
            load = prediction_loader(str(tmp_path / fmt / seq), fmt)
            for t in range(NUM_FRAMES):
                np.testing.assert_array_equal(
                    load(f'{t:05d}'), read_mask(tmp_path / 'palette' / seq / f'{t:05d}.png'))
    assert sorted(p.name for p in (tmp_path / 'per-object' / 'blackswan').iterdir()) == [
        '.complete'] + [f'{t:05d}_001.png' for t in range(NUM_FRAMES)]
    assert sorted(p.name for p in (tmp_path / 'coco-rle' / 'blackswan').iterdir()) == [
        '.complete', 'masks.json']


def test_amp_on_cpu_runs_bfloat16_with_nearly_the_same_scores(kit, tmp_path, monkeypatch,
                                                                capsys):
    """--amp = test_cfg.autocast=True (bfloat16 on a CPU): scores within a few points."""
    import csv

    def jf(folder):
        with open(folder / 'global_results-val.csv') as f:
            return float(next(csv.DictReader(f))['J&F-Mean'])
    _test(kit, tmp_path / 'fp32', monkeypatch, capsys)
    _test(kit, tmp_path / 'amp', monkeypatch, capsys, '--amp')
    assert abs(jf(tmp_path / 'amp') - jf(tmp_path / 'fp32')) < 0.05


@pytest.mark.parametrize('fmt', ['palette', 'coco-rle'])
def test_youtube_vos_masks_only(kit, youtube_vos_root, tmp_path, monkeypatch, capsys, fmt):
    leaf = tmp_path / 'tiny_youtube.py'
    leaf.write_text(f'_base_ = [{str(TINY_CONFIG)!r}, {str(YOUTUBE_BASE)!r}]\n'
                    f'test_dataloader = dict(dataset=dict(data_root={youtube_vos_root!r}))\n'
                    'test_cfg = dict(progress=False)\n')
    out = tmp_path / 'out'
    code, stdout, err = call_tool('test', [leaf, kit.checkpoint, '--work-dir', tmp_path / 'w',
                                           '--out', out, '--device', 'cpu', '--format', fmt],
                                  monkeypatch, capsys)
    assert code == 0, err[-2000:]
    assert f'no ground truth to score; masks in {out}' in stdout
    load = prediction_loader(str(out / 'swan'), fmt)
    preds = [load(f'{5 * t:05d}') for t in range(6)]
    square = read_mask(Path(youtube_vos_root) / 'valid' / 'Annotations' / 'swan' /
                       '00010.png') == 2
    assert all(2 not in p for p in preds[:2]) and (preds[2][square] == 2).all()
    assert 1 in preds[0] and (out / 'car' / '.complete').is_file()
