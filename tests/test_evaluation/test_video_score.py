"""score_video: J&F of a prediction folder by the DAVIS protocol."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest

from shls.datasets import read_mask, write_palette_png
from shls.evaluation.video_score import has_annotations, score_video


def test_ground_truth_scores_100_and_an_empty_prediction_0(tmp_path, davis_root):
    gt = osp.join(davis_root, 'Annotations', '480p', 'blackswan')
    assert score_video(gt, gt)['J&F-Mean'] == pytest.approx(1.0)
    empty = tmp_path / 'empty'
    for name in sorted(n for n in os.listdir(gt) if n.endswith(".png")):
        write_palette_png(empty / name, np.zeros_like(read_mask(osp.join(gt, name))))
    assert score_video(str(empty), gt)['J&F-Mean'] == pytest.approx(0.0)


def test_missing_prediction_names_the_file(tmp_path, davis_root):
    gt = osp.join(davis_root, 'Annotations', '480p', 'blackswan')
    pred = tmp_path / 'pred'
    shutil.copytree(gt, pred)
    (pred / '00002.png').unlink()
    with pytest.raises(FileNotFoundError, match='00002'):
        score_video(str(pred), gt)
    assert not has_annotations(str(tmp_path / 'nothing'))
