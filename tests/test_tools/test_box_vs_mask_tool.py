"""tools/analysis/box_vs_mask.py on the bundled six-frame clip: the box run and the
shifted first masks beside the mask run; a bad shift is a one-line usage error."""
import shutil

import numpy as np
import pytest

from shls.datasets.mask_io import write_palette_png
from .bad_input_kit import REPO, call_tool

CLIP = REPO / 'tests' / 'fixtures' / 'davis'


def _cells(out: str, name: str):
    row = next(line for line in out.splitlines() if line.startswith(f'| {name} |'))
    return [c.strip() for c in row.split('|')[1:-1]]


def test_box_and_shifted_runs_beside_the_mask_run(monkeypatch, capsys):
    code, out, err = call_tool('analysis/box_vs_mask',
                               [CLIP, '--videos', 'blackswan', '--shift', '2', '-2'],
                               monkeypatch, capsys)
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith('| video |'))
    assert 'J&F mask+2px' in header and 'J&F mask-2px' in header
    cells = _cells(out, 'blackswan')
    first_j, mask, box = map(float, cells[2:5])
    assert 60 < first_j < 100 and 50 < mask <= 100 and 0 < box <= 100
    grown_j, grown = float(cells[6]), float(cells[7])
    assert 85 < grown_j < 100 and 0 < grown <= 100
    assert 85 < float(cells[9]) < 100 and 0 < float(cells[10]) <= 100
    assert float(cells[11]) == pytest.approx(float(cells[10]) - mask, abs=0.11)
    assert _cells(out, '**mean**')[3] == cells[3]


def test_an_object_shrunk_away_scores_zero(tmp_path, monkeypatch, capsys):
    frames = tmp_path / 'JPEGImages' / '480p' / 'wire'
    masks = tmp_path / 'Annotations' / '480p' / 'wire'
    frames.mkdir(parents=True)
    masks.mkdir(parents=True)
    for path in sorted((CLIP / 'JPEGImages' / '480p' / 'blackswan').glob('*.jpg'))[:3]:
        shutil.copy(path, frames / path.name)
        ids = np.zeros((480, 854), np.uint8)
        ids[240:242, 100:700] = 1  # a wire two pixels thick
        write_palette_png(masks / (path.stem + '.png'), ids)
    code, out, err = call_tool('analysis/box_vs_mask', [tmp_path, '--shift', '-1'],
                               monkeypatch, capsys)
    assert code == 0, err
    cells = _cells(out, 'wire')
    assert cells[6:8] == ['0.0', '0.0']


@pytest.mark.parametrize('shift', ['0', '51', 'two'])
def test_a_bad_shift_is_a_usage_error(shift, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_tool('analysis/box_vs_mask', [CLIP, '--shift', shift], monkeypatch, capsys)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and 'shift' in err.splitlines()[-1]
