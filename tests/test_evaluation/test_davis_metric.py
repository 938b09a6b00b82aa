"""DAVISMetric: frame selection, statistics, inputs, output files, and the J&F anchor."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from shls.datasets.davis import DAVISDataset
from shls.datasets.mask_io import write_palette_png
from shls.evaluation import DAVISMetric, KNNAccuracy
from shls.registry import METRICS

SHARED_DAVIS = '/work/shared/data/davis'
H, W = 24, 32


def box(top, left, size=8, obj=1, base=None):
    mask = np.zeros((H, W), np.uint8) if base is None else base.copy()
    mask[top:top + size, left:left + size] = obj
    return mask


def write_video(root, seq, masks):
    """Ground-truth PNGs ``root/seq/0000i.png``; returns their paths."""
    paths = [osp.join(root, seq, f'{i:05d}.png') for i in range(len(masks))]
    for path, mask in zip(paths, masks):
        write_palette_png(path, mask)
    return paths


@pytest.fixture
def video(tmp_path):
    """Two objects over 5 frames; void (255) around object 2 in frame 2."""
    masks = [box(2, 2, obj=1, base=box(12, 20, obj=2)) for _ in range(5)]
    masks[2][10:12, 18:30] = 255
    return write_video(str(tmp_path / 'gt'), 'vid', masks), masks


def perfect(masks):
    pred = np.stack(masks).copy()
    pred[pred == 255] = 0
    return pred


def test_first_and_last_frames_excluded(video):
    paths, masks = video
    pred = perfect(masks)
    pred[0] = 0
    pred[-1] = 0  # wrong on the unscored frames only
    res = DAVISMetric().evaluate_sample(dict(seq_name='vid', mask_paths=paths, pred_masks=pred))
    assert res['J'].shape == (2, 3) and res['F'].shape == (2, 3)
    assert (res['J'] == 1).all() and (res['F'] == 1).all()


def test_void_is_background_unless_ignored(video):
    paths, masks = video
    pred = perfect(masks)
    pred[2][10:12, 18:30] = 2  # predict object 2 on the void band
    sample = dict(seq_name='vid', mask_paths=paths, pred_masks=pred)
    j_official = DAVISMetric().evaluate_sample(sample)['J']
    assert j_official[1, 1] == pytest.approx(64 / (64 + 24))  # 2x12 band above the box
    assert j_official[0].tolist() == [1, 1, 1]
    j_ignored = DAVISMetric(ignore_void=True).evaluate_sample(sample)['J']
    assert (j_ignored == 1).all()


def test_missing_object_and_bad_ids(video):
    paths, masks = video
    pred = perfect(masks)
    pred[pred == 2] = 0  # object 2 never predicted
    res = DAVISMetric().evaluate_sample(dict(seq_name='vid', mask_paths=paths, pred_masks=pred))
    assert (res['J'][1] == 0).all() and (res['F'][1] == 0).all()
    pred[1, 0, 0] = 3
    with pytest.raises(ValueError, match=r'vid.*00001.*\[3\]'):
        DAVISMetric().evaluate_sample(dict(seq_name='vid', mask_paths=paths, pred_masks=pred))


def test_prediction_sources_agree(video, tmp_path):
    paths, masks = video
    pred = perfect(masks)
    pred[3] = np.roll(pred[3], 3, axis=1)
    ref = DAVISMetric().evaluate_sample(dict(seq_name='vid', mask_paths=paths, pred_masks=pred))
    pred_root = str(tmp_path / 'pred')
    write_video(pred_root, 'vid', list(pred))
    frames = [f'/frames/vid/{i:05d}.jpg' for i in range(5)]
    samples = [
        dict(seq_name='vid', mask_paths=paths, pred_masks=torch.from_numpy(pred)),
        dict(seq_name='vid', mask_paths=paths, pred_masks=pred, frame_paths=frames),
        dict(seq_name='vid', mask_paths=paths, pred_dir=osp.join(pred_root, 'vid')),
        BaseDataElement(metainfo=dict(seq_name='vid', mask_paths=paths), pred_masks=pred),
    ]
    for sample in samples:
        res = DAVISMetric().evaluate_sample(sample)
        np.testing.assert_array_equal(res['J'], ref['J'])
        np.testing.assert_array_equal(res['F'], ref['F'])
    res = DAVISMetric(pred_root=pred_root).evaluate_sample(dict(seq_name='vid', mask_paths=paths))
    np.testing.assert_array_equal(res['J'], ref['J'])
    with pytest.raises(ValueError, match='pred_dir'):
        DAVISMetric().evaluate_sample(dict(seq_name='vid', mask_paths=paths))
    with pytest.raises(ValueError, match='frame_paths'):
        DAVISMetric().evaluate_sample(
            dict(seq_name='vid', mask_paths=paths, pred_masks=pred[:4], frame_paths=frames))


def make_results():
    """Hand-made per-frame values of two videos (three objects)."""
    return [
        dict(seq_name='a',
             J=np.array([[0.9, 0.8, 0.6, 0.5, 0.1]]),
             F=np.array([[1.0, 1.0, 1.0, 1.0, 1.0]])),
        dict(seq_name='b',
             J=np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
             F=np.array([[0.5, 0.5, 0.5], [0.2, 0.4, 0.6]])),
    ]


def test_global_statistics_and_csv(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'global_results-val.csv').write_text('stale')
    metric = DAVISMetric(out_dir=str(out))
    scores = metric.compute_metrics(make_results())
    j_mean = (0.58 + 1.0 + 0.0) / 3
    f_mean = (1.0 + 0.5 + 0.4) / 3
    assert scores['J-Mean'] == pytest.approx(100 * j_mean)
    assert scores['F-Mean'] == pytest.approx(100 * f_mean)
    assert scores['J&F-Mean'] == pytest.approx(50 * (j_mean + f_mean))
    assert scores['J-Recall'] == pytest.approx(100 * (0.6 + 1 + 0) / 3)
    assert scores['J-Decay'] == pytest.approx(100 * 0.55 / 3)
    # b_2 over 3 frames: bins [0, 1], [1], [1, 2], [2] → decay 0.3 - 0.6.
    assert scores['F-Decay'] == pytest.approx(100 * (0.3 - 0.6) / 3)
    assert (out / 'per-sequence_results-val.csv').read_text() == (
        'Sequence,J-Mean,F-Mean\na_1,0.580,1.000\nb_1,1.000,0.500\nb_2,0.000,0.400\n')
    lines = (out / 'global_results-val.csv').read_text().splitlines()
    assert lines[0] == 'J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay'
    assert [float(v) for v in lines[1].split(',')
            ] == pytest.approx([round(scores[k] / 100, 3) for k in lines[0].split(',')])
    doc = json.loads((out / 'results-val.json').read_text())
    assert doc['per_frame']['b_2']['F'] == [0.2, 0.4, 0.6]
    assert sorted(os.listdir(out)) == [
        'global_results-val.csv', 'per-sequence_results-val.csv', 'results-val.json'
    ]


def test_duplicate_sequence_rejected():
    with pytest.raises(ValueError, match='twice'):
        DAVISMetric().compute_metrics(make_results() + make_results()[:1])


def test_evaluate_prefix_and_registry(video):
    paths, masks = video
    metric = METRICS.build(dict(type='DAVISMetric'))
    metric.process(None, [dict(seq_name='vid', mask_paths=paths, pred_masks=perfect(masks))])
    scores = metric.evaluate(1)
    assert scores['davis/J&F-Mean'] == pytest.approx(100.0)
    assert KNNAccuracy.default_prefix == 'knn'


@pytest.mark.skipif(not osp.isdir(SHARED_DAVIS), reason='shared DAVIS data absent')
def test_first_mask_copy_anchor():
    """measured-anchors.md: copying frame 0's mask gives J&F 22.2, J 23.8, F 20.6."""
    dataset = DAVISDataset(SHARED_DAVIS)
    metric = DAVISMetric()
    for idx in range(len(dataset)):
        item = dataset[idx]
        first = item['first_mask']
        item['pred_masks'] = np.broadcast_to(first, (len(item['frame_paths']), *first.shape))
        metric.process(None, [item])
    scores = metric.compute_metrics(metric.results)
    assert scores['J&F-Mean'] == pytest.approx(22.2, abs=0.1)
    assert scores['J-Mean'] == pytest.approx(23.8, abs=0.1)
    assert scores['F-Mean'] == pytest.approx(20.6, abs=0.1)
