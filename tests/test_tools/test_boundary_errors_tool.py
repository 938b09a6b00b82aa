"""tools/analysis/boundary_errors.py on the bundled clip: scores match the protocol, a
planted leak shows as one, bad folders are one-line errors."""
import shutil
from pathlib import Path

import numpy as np

from shls.datasets import read_mask
from shls.datasets.mask_io import write_palette_png
from .bad_input_kit import REPO, call_tool

DEMO = REPO / 'demo' / 'davis'
GT = DEMO / 'Annotations' / '480p' / 'blackswan'


def _results(tmp_path: Path, leak: bool) -> Path:
    out = tmp_path / ('leak' if leak else 'exact') / 'blackswan'
    out.mkdir(parents=True)
    for path in sorted(GT.glob('*.png')):
        if not leak:
            shutil.copy(path, out / path.name)
            continue
        ids = read_mask(path)
        ids[400:470, 20:120] = 1  # a 100x70 blob far from the swan
        write_palette_png(out / path.name, ids)
    return out.parent


def _run(argv, monkeypatch, capsys):
    return call_tool('analysis/boundary_errors', [*map(str, argv)], monkeypatch, capsys)


def test_the_ground_truth_itself_misses_nothing(tmp_path, monkeypatch, capsys):
    code, out, err = _run([_results(tmp_path, False), DEMO], monkeypatch, capsys)
    assert code == 0, err
    row = next(line for line in out.splitlines() if 'blackswan' in line)
    cells = [c.strip() for c in row.split('|')[1:-1]]
    assert cells[1:5] == ['100.00', '100.00', '100.0', '100.0']
    assert cells[5:] == ['0.0/0.0/0.0'] * 4


def test_a_planted_blob_is_a_leak(tmp_path, monkeypatch, capsys):
    code, out, err = _run([_results(tmp_path, True), DEMO], monkeypatch, capsys)
    assert code == 0, err
    cells = [c.strip() for c in next(
        line for line in out.splitlines() if 'blackswan' in line).split('|')[1:-1]]
    assert float(cells[1]) < 100 and float(cells[3]) < 100 and cells[4] == '100.0'
    leak = [float(v) for v in cells[7].split('/')]
    assert sum(leak) > 0 and cells[8] == '0.0/0.0/0.0'


def test_bad_folders_are_one_line_errors(tmp_path, monkeypatch, capsys):
    code, _, err = _run([tmp_path / 'nothing', DEMO], monkeypatch, capsys)
    assert code == 2 and 'no results folder' in err and err.count('\n') == 1
    (tmp_path / 'res' / 'unknown-video').mkdir(parents=True)
    code, _, err = _run([tmp_path / 'res', DEMO], monkeypatch, capsys)
    assert code == 2 and "'unknown-video': no annotations" in err
    empty = tmp_path / 'empty' / 'blackswan'
    empty.mkdir(parents=True)
    code, _, err = _run([empty.parent, DEMO], monkeypatch, capsys)
    assert code == 2 and err.count('\n') == 1
