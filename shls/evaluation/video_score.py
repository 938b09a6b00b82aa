"""J&F of one predicted video against a folder of annotations (DAVIS-2017 protocol)."""
import glob
import os
import os.path as osp
from typing import Dict

from shls.datasets.frame_order import sort_frame_paths
from shls.datasets.mask_io import read_mask
from shls.evaluation.metrics.davis_metric import (evaluate_video, global_statistics,
                                                  per_object_statistics)
from shls.utils.errors import InputNotFoundError

MASK_SUFFIX = '.png'


def score_video(pred_dir: str, gt_dir: str, name: str = 'video') -> Dict[str, float]:
    """Score ``pred_dir/<stem>.png`` against every ``gt_dir/<stem>.png``.

    The first and last annotations are not scored, objects are ids ``1..max`` of the
    first annotation, as in the official semi-supervised evaluation.

    Args:
        pred_dir: Folder of predicted id PNGs named like the annotations.
        gt_dir: Folder of annotation PNGs (at least 3).
        name: Video name for messages.

    Returns:
        ``J&F-Mean``, ``J-Mean``, ``J-Recall``, ``J-Decay``, ``F-Mean``, ... (in [0, 1]).

    Raises:
        FileNotFoundError: ``gt_dir`` holds no PNG, or a prediction is missing.
    """
    paths = sort_frame_paths(glob.glob(osp.join(glob.escape(gt_dir), '*' + MASK_SUFFIX)))
    if not paths:
        raise InputNotFoundError(f'no annotation PNG in {gt_dir}')

    def load(stem: str):
        path = osp.join(pred_dir, stem + MASK_SUFFIX)
        if not osp.isfile(path):
            raise InputNotFoundError(f'annotation {stem} of {gt_dir} has no prediction '
                                     f'{path}')
        return read_mask(path)

    j, f = evaluate_video(name, paths, load)
    rows = per_object_statistics([dict(seq_name=name, J=j, F=f)])
    return global_statistics(rows)


def has_annotations(folder: str) -> bool:
    """Whether ``folder`` exists and holds at least one PNG."""
    return osp.isdir(folder) and any(n.endswith(MASK_SUFFIX) for n in os.listdir(folder))
