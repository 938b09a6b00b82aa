"""tools/analysis/eval_saliency.py: metrics and the table on the fixture images."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / 'tests' / 'fixtures' / 'saliency'
_SPEC = importlib.util.spec_from_file_location(
    'eval_saliency', REPO / 'tools' / 'analysis' / 'eval_saliency.py')
TOOL = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(TOOL)


def test_scores():
    truth = np.zeros((4, 4), bool)
    truth[:2] = True
    valid = np.ones((4, 4), bool)
    assert TOOL.scores(truth, truth, valid) == (1.0, pytest.approx(1.0))
    pred = np.zeros((4, 4), bool)
    pred[0] = True  # precision 1, recall 0.5
    iou, fmeasure = TOOL.scores(pred, truth, valid)
    assert iou == 0.5 and fmeasure == pytest.approx(1.3 * 0.5 / (0.3 + 0.5))
    assert TOOL.scores(np.zeros((4, 4), bool), truth, valid) == (0.0, 0.0)
    valid[1] = False  # the missed row is ignored
    assert TOOL.scores(pred, truth, valid)[0] == 1.0


def test_table_on_fixtures(capsys, tmp_path):
    code = TOOL.main(['--data-root', str(FIXTURES), '--limit', '3', '--methods', 'centre',
                      'mbd', '--refiners', 'otsu', '--cfg-options', 'max_side=64',
                      '--json', str(tmp_path / 'r.json')])
    out = capsys.readouterr().out
    assert code == 0 and '| centre+otsu |' in out and '| mbd+otsu |' in out
    assert 'IoU grabcut' in out and 'IoU cocomval' in out
    assert (tmp_path / 'r.json').is_file()
    assert TOOL.main(['--data-root', str(tmp_path / 'none')]) == 2
