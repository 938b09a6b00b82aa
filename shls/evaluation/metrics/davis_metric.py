"""DAVIS-2017 semi-supervised J&F metric (the official protocol, reimplemented).

Per video: the objects are the ids ``1..max`` of the first ground-truth annotation (void
255 → background first). Every annotated frame except the first and the last is scored
(J and F per object, :mod:`shls.evaluation.functional.davis_measures`); in the ground
truth of those frames void (255) is set to background, as the official semi-supervised
evaluation does (``ignore_void=True`` instead removes void pixels from both masks).
Per object: Mean, Recall, Decay over its frames. Globally: each statistic is the mean
over all objects of all videos, and J&F-Mean = (J-Mean + F-Mean) / 2.
"""
import csv
import io
import json
import logging
import os.path as osp
from typing import (Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence,
                    Tuple)

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from prettytable import PrettyTable

from shls.datasets.frame_order import sort_frame_paths
from shls.datasets.mask_formats import prediction_loader
from shls.datasets.mask_io import atomic_write_bytes, read_mask
from shls.evaluation.functional.davis_measures import (BOUND_TH, measure_statistics,
                                                       object_measures)
from shls.registry import METRICS
from shls.structures.ids import VOID_ID
from shls.utils.errors import ConfigError, InputError

GLOBAL_COLUMNS = ('J&F-Mean', 'J-Mean', 'J-Recall', 'J-Decay', 'F-Mean', 'F-Recall', 'F-Decay')
OBJECT_COLUMNS = ('J-Mean', 'J-Recall', 'J-Decay', 'F-Mean', 'F-Recall', 'F-Decay')
PredLoader = Callable[[str], np.ndarray]


@METRICS.register_module()
class DAVISMetric(BaseMetric):
    """J&F of semi-supervised video object segmentation, one data sample per video.

    Fields read from each data sample (a dict or a ``BaseDataElement``, via ``.get``):

    - ``seq_name`` (str) and ``mask_paths`` (ground-truth annotation PNGs of the video,
      as :class:`~shls.datasets.davis.DAVISDataset` items carry them);
    - the prediction, one of (first found wins):

      * ``pred_masks``: ``(T, H, W)`` integer array or tensor of object ids per frame. With
        ``frame_paths`` in the sample, ``T == len(frame_paths)`` and an annotation is
        matched to the frame of the same file stem; without it, ``T == len(mask_paths)``
        and they are matched by position;
      * ``pred_dir``: folder holding ``<stem>.png`` for every annotation stem (or, with
        ``pred_format`` in the sample, the files of that format, see
        :mod:`shls.datasets.mask_formats`);
      * neither: ``<pred_root>/<seq_name>/<stem>.png`` if the metric has ``pred_root``.

    Predicted PNGs are read with :func:`~shls.datasets.mask_io.read_mask`. A predicted id
    above the video's object count (255 included) is a ``ValueError``, as in the official
    toolkit. J and F are computed in ``process`` (only small per-frame arrays are kept).

    ``compute_metrics`` returns the global statistics in percent (keys of
    ``GLOBAL_COLUMNS``). With ``out_dir`` it (over)writes atomically, like the official
    toolkit (values as fractions, 3 decimals): ``global_results-<split>.csv``,
    ``per-sequence_results-<split>.csv`` (Sequence = ``<seq>_<obj id>``, J-Mean, F-Mean),
    plus ``results-<split>.json`` (full precision, per-object statistics, per-frame
    values). It also logs both tables.

    Args:
        out_dir: Folder for the CSV / JSON files; nothing written if None.
        split: Split name used in the file names.
        pred_root: Root of ``<seq>/<stem>.png`` predictions, used when a sample carries
            neither ``pred_masks`` nor ``pred_dir``.
        bound_th: Boundary tolerance (fraction of the diagonal, or pixels if >= 1).
        ignore_void: Remove ground-truth void pixels from both masks instead of counting
            them as background (the official semi-supervised setting is False).
        collect_device, prefix, collect_dir: See :class:`~mmengine.evaluator.BaseMetric`.
    """

    default_prefix = 'davis'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 split: str = 'val',
                 pred_root: Optional[str] = None,
                 bound_th: float = BOUND_TH,
                 ignore_void: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.out_dir = out_dir
        self.split = split
        self.pred_root = pred_root
        self.bound_th = bound_th
        self.ignore_void = ignore_void

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Score each video of the batch and keep its per-frame J and F."""
        for sample in data_samples:
            self.results.append(self.evaluate_sample(sample))

    def evaluate_sample(self, sample: Any) -> dict:
        """J and F of one video sample: ``dict(seq_name, J, F)``, arrays ``(objects, frames)``."""
        seq_name = str(_require(sample, 'seq_name'))
        mask_paths = sort_frame_paths(list(_require(sample, 'mask_paths')))
        load_pred = self._pred_loader(sample, seq_name, mask_paths)
        j, f = evaluate_video(seq_name, mask_paths, load_pred, self.bound_th, self.ignore_void)
        return dict(seq_name=seq_name, J=j, F=f)

    def _pred_loader(self, sample: Any, seq_name: str, mask_paths: List[str]) -> PredLoader:
        """Function mapping an annotation stem to the predicted id map of that frame."""
        pred_masks = sample.get('pred_masks', None)
        if pred_masks is not None:
            return _array_loader(seq_name, _to_numpy(pred_masks), mask_paths,
                                 sample.get('frame_paths', None))
        pred_dir = sample.get('pred_dir', None)
        if pred_dir is None and self.pred_root is not None:
            pred_dir = osp.join(self.pred_root, seq_name)
        if pred_dir is None:
            raise ConfigError(f'DAVISMetric: sample {seq_name!r} has neither pred_masks nor '
                              'pred_dir, and the metric has no pred_root')
        return prediction_loader(pred_dir, sample.get('pred_format', None) or 'palette')

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Per-object and global statistics; writes files and logs tables."""
        rows = per_object_statistics(results)
        summary = global_statistics(rows)
        if self.out_dir is not None:
            self._write_outputs(results, rows, summary)
        print_log('\n' + _table(['Sequence', *OBJECT_COLUMNS], rows).get_string(), logger='current')
        print_log('\n' + _table(list(GLOBAL_COLUMNS), [summary]).get_string(), logger='current')
        return {k: 100.0 * v for k, v in summary.items()}

    def _write_outputs(self, results: List[dict], rows: List[dict], summary: dict) -> None:
        """Atomically (over)write the official-style CSVs and the JSON."""
        seq_csv = _csv_text(('Sequence', 'J-Mean', 'F-Mean'), rows)
        global_csv = _csv_text(GLOBAL_COLUMNS, [summary])
        out = self.out_dir
        atomic_write_bytes(osp.join(out, f'global_results-{self.split}.csv'), global_csv.encode())
        atomic_write_bytes(osp.join(out, f'per-sequence_results-{self.split}.csv'),
                           seq_csv.encode())
        per_frame = {
            f"{r['seq_name']}_{k + 1}": dict(J=r['J'][k].tolist(), F=r['F'][k].tolist())
            for r in results
            for k in range(len(r['J']))
        }
        doc = dict(split=self.split,
                   bound_th=self.bound_th,
                   ignore_void=self.ignore_void,
                   units='fraction',
                   global_results=summary,
                   per_object=rows,
                   per_frame=per_frame)
        atomic_write_bytes(osp.join(out, f'results-{self.split}.json'),
                           json.dumps(doc, indent=1).encode())
        print_log(f'DAVIS results written to {out}', logger='current')


def evaluate_video(seq_name: str,
                   mask_paths: Sequence[str],
                   load_pred: PredLoader,
                   bound_th: float = BOUND_TH,
                   ignore_void: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame J and F of every object of one video (first and last annotation skipped).

    Args:
        seq_name: Video name, for messages.
        mask_paths: Ground-truth annotation files in temporal order (at least 3).
        load_pred: Maps an annotation's file stem to the predicted ``(H, W)`` id map.
        bound_th: Boundary tolerance.
        ignore_void: See :class:`DAVISMetric`.

    Returns:
        ``(J, F)``: ``(num_objects, len(mask_paths) - 2)`` float arrays.
    """
    j_rows, f_rows = [], []
    for frame in scored_frames(seq_name, mask_paths, load_pred):
        void = frame.void if ignore_void else None
        j, f = object_measures(frame.pred, frame.gt, frame.num_objects, void, bound_th)
        j_rows.append(j)
        f_rows.append(f)
    return np.stack(j_rows, axis=1), np.stack(f_rows, axis=1)


class ScoredFrame(NamedTuple):
    """One scored frame of a video: validated prediction, ground truth (void set to
    background) and its void pixels, object count of the video."""

    stem: str
    pred: np.ndarray
    gt: np.ndarray
    void: np.ndarray
    num_objects: int


def scored_frames(seq_name: str, mask_paths: Sequence[str],
                  load_pred: PredLoader) -> Iterator[ScoredFrame]:
    """The frames the protocol scores (every annotation but the first and the last),
    each with its prediction checked against the ground truth.

    Args:
        seq_name: Video name, for messages.
        mask_paths: Ground-truth annotation files in temporal order (at least 3).
        load_pred: Maps an annotation's file stem to the predicted ``(H, W)`` id map.

    Raises:
        InputError: Fewer than 3 annotations, no object in the first one, or a
            prediction of another size or with unknown ids.
    """
    if len(mask_paths) < 3:
        raise InputError(f'DAVIS sequence {seq_name!r}: {len(mask_paths)} annotated frames; '
                         'at least 3 are needed (first and last are not scored)')
    num_objects = _count_objects(seq_name, mask_paths[0])
    for path in mask_paths[1:-1]:
        gt = read_mask(path)
        void = gt == VOID_ID
        gt[void] = 0
        stem = osp.splitext(osp.basename(path))[0]
        pred = _check_pred(load_pred(stem), gt.shape, num_objects, seq_name, stem)
        yield ScoredFrame(stem, pred, gt, void, num_objects)


def _count_objects(seq_name: str, first_path: str) -> int:
    """Official object count: the largest id of the first annotation (void removed)."""
    first = read_mask(first_path)
    first[first == VOID_ID] = 0
    num_objects = int(first.max())
    if num_objects == 0:
        raise InputError(f'DAVIS sequence {seq_name!r}: no object in the first annotation '
                         f'{first_path}')
    missing = sorted(set(range(1, num_objects + 1)) - set(np.unique(first).tolist()))
    if missing:
        print_log(
            f'DAVIS sequence {seq_name!r}: ids {missing} are absent from the first '
            f'annotation but scored as objects (official protocol: ids 1..max)',
            logger='current',
            level=logging.WARNING)
    return num_objects


def _check_pred(pred: np.ndarray, shape: Tuple[int, ...], num_objects: int, seq_name: str,
                stem: str) -> np.ndarray:
    """Validate one predicted id map against the ground truth of its frame."""
    pred = np.asarray(pred)
    if pred.shape != shape:
        raise InputError(f'DAVIS sequence {seq_name!r} frame {stem}: prediction shape '
                         f'{pred.shape} != ground-truth shape {shape}')
    if pred.size and (pred.min() < 0 or pred.max() > num_objects):
        bad = sorted(set(np.unique(pred).tolist()) - set(range(num_objects + 1)))
        raise InputError(f'DAVIS sequence {seq_name!r} frame {stem}: predicted ids {bad} '
                         f'outside 0..{num_objects} (the first annotation has '
                         f'{num_objects} objects)')
    return pred


def _array_loader(seq_name: str, pred_masks: np.ndarray, mask_paths: List[str],
                  frame_paths: Optional[Sequence[str]]) -> PredLoader:
    """Loader over an in-memory ``(T, H, W)`` prediction (see :class:`DAVISMetric`)."""
    keys = mask_paths if frame_paths is None else list(frame_paths)
    if pred_masks.ndim != 3 or len(pred_masks) != len(keys):
        what = 'mask_paths' if frame_paths is None else 'frame_paths'
        raise ValueError(f'DAVIS sequence {seq_name!r}: pred_masks shape {pred_masks.shape} '
                         f'does not match the {len(keys)} {what}')
    index = {osp.splitext(osp.basename(p))[0]: i for i, p in enumerate(keys)}

    def load(stem: str) -> np.ndarray:
        if stem not in index:
            raise InputError(f'DAVIS sequence {seq_name!r}: annotation {stem} has no frame')
        return pred_masks[index[stem]]

    return load


def per_object_statistics(results: List[dict]) -> List[dict]:
    """One row per object: ``Sequence`` (``<seq>_<id>``) and the six statistics."""
    seen = set()
    rows = []
    for res in results:
        if res['seq_name'] in seen:
            raise ValueError(f"DAVISMetric: sequence {res['seq_name']!r} evaluated twice")
        seen.add(res['seq_name'])
        for k, (j, f) in enumerate(zip(res['J'], res['F'])):
            row = dict(Sequence=f"{res['seq_name']}_{k + 1}")
            row.update(zip(OBJECT_COLUMNS, measure_statistics(j) + measure_statistics(f)))
            rows.append(row)
    return rows


def global_statistics(rows: List[dict]) -> Dict[str, float]:
    """Means over all objects and J&F-Mean = (J-Mean + F-Mean) / 2."""
    if not rows:
        raise ValueError('DAVISMetric: no object was evaluated')
    summary = {c: float(np.mean([r[c] for r in rows])) for c in OBJECT_COLUMNS}
    return {'J&F-Mean': (summary['J-Mean'] + summary['F-Mean']) / 2, **summary}


def _csv_text(columns: Sequence[str], rows: List[dict]) -> str:
    """CSV with the given columns, floats as ``%.3f`` (the official toolkit's format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(columns)
    for row in rows:
        writer.writerow([f'{row[c]:.3f}' if isinstance(row[c], float) else row[c] for c in columns])
    return buffer.getvalue()


def _table(columns: List[str], rows: List[dict]) -> PrettyTable:
    """Pretty table of rows, float values in percent with 2 decimals."""
    table = PrettyTable(columns)
    for row in rows:
        table.add_row(
            [f'{100 * row[c]:.2f}' if isinstance(row[c], float) else row[c] for c in columns])
    return table


def _require(sample: Any, key: str) -> Any:
    """``sample.get(key)``, or a ``KeyError`` naming the missing field."""
    value = sample.get(key, None)
    if value is None:
        raise KeyError(f'DAVISMetric: data sample lacks the field {key!r}')
    return value


def _to_numpy(value: Any) -> np.ndarray:
    """Tensor or array-like to a numpy array."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)
