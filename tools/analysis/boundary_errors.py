"""Where the boundary measure F loses, per video: leaks and missed parts, by size.

Reads saved predictions (palette PNGs ``RESULTS/<video>/<frame>.png``, as written by
``tools/test.py --out`` or ``tools/demo.py``) and the DAVIS ground truth, and prints per
video J, F, the pooled boundary precision P and recall R, and the share of
ground-truth boundary pixels left unmatched (recall misses) and of predicted boundary
pixels left unmatched (precision misses) next to missed object parts and next to leaks,
each split into small / medium / large parts (< 2 %, < 20 %, >= 20 % of the object's
area). Frames as the DAVIS-2017 protocol scores them (first and last annotation not).

Example:
    python tools/test.py CONFIG CHECKPOINT --out work_dirs/preds
    python tools/analysis/boundary_errors.py work_dirs/preds ../shared/data/davis
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Tuple

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

from shls.utils.cli import run_tool  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('results', help='folder of <video>/<frame>.png predictions')
    parser.add_argument('root', help='DAVIS root (Annotations/<resolution>/<video>)')
    parser.add_argument('--resolution', default='480p',
                        help='annotation folder under Annotations (default: 480p)')
    parser.add_argument('--videos', nargs='+',
                        help='default: every video folder of RESULTS')
    parser.add_argument('--debug', action='store_true', help='full tracebacks')
    return parser.parse_args(argv)


def video_errors(results: str, gt_dir: str, name: str):
    """J, F (percent) and the summed :class:`BoundaryErrors` of one video's objects."""
    from shls.datasets.frame_order import sort_frame_paths
    from shls.datasets.mask_formats import prediction_loader
    from shls.evaluation.functional.boundary_errors import BoundaryErrors, boundary_errors
    from shls.evaluation.functional.davis_measures import object_measures
    from shls.evaluation.metrics.davis_metric import scored_frames
    gt_paths = sort_frame_paths([osp.join(gt_dir, n) for n in os.listdir(gt_dir)
                                 if n.endswith('.png')])
    total, j_sum, f_sum, count = BoundaryErrors(), 0.0, 0.0, 0
    for frame in scored_frames(name, gt_paths, prediction_loader(osp.join(results, name))):
        j, f = object_measures(frame.pred, frame.gt, frame.num_objects)
        j_sum, f_sum, count = j_sum + j.sum(), f_sum + f.sum(), count + len(j)
        for obj in range(1, frame.num_objects + 1):
            total = total + boundary_errors(frame.pred == obj, frame.gt == obj)
    return 100 * j_sum / count, 100 * f_sum / count, total


def row(name: str, j: float, f: float, err) -> List[str]:
    """One table row: shares of the boundary in percent."""
    def pct(values, base) -> str:
        return '/'.join(f'{100 * v / max(base, 1):.1f}' for v in values)
    return [name, f'{j:.2f}', f'{f:.2f}', f'{100 * err.precision:.1f}',
            f'{100 * err.recall:.1f}', pct(err.gt_missed_part, err.gt),
            pct(err.gt_leak, err.gt), pct(err.pred_leak, err.pred),
            pct(err.pred_missed_part, err.pred)]


HEADER = ['video', 'J', 'F', 'P', 'R', 'R-miss: missed part s/m/l', 'R-miss: leak s/m/l',
          'P-miss: leak s/m/l', 'P-miss: missed part s/m/l']


def videos_of(args: argparse.Namespace) -> List[Tuple[str, str]]:
    """``(name, annotation folder)`` of the videos to analyse."""
    from shls.utils.errors import InputNotFoundError
    if not osp.isdir(args.results):
        raise InputNotFoundError(f'no results folder {args.results}')
    names = args.videos or sorted(n for n in os.listdir(args.results)
                                  if osp.isdir(osp.join(args.results, n)))
    if not names:
        raise InputNotFoundError(f'no video folders in {args.results}')
    out = []
    for name in names:
        gt_dir = osp.join(args.root, 'Annotations', args.resolution, name)
        if not osp.isdir(gt_dir):
            raise InputNotFoundError(f'video {name!r}: no annotations at {gt_dir}')
        if not osp.isdir(osp.join(args.results, name)):
            raise InputNotFoundError(f'video {name!r}: no predictions in {args.results}')
        out.append((name, gt_dir))
    return out


def analyse(args: argparse.Namespace) -> int:
    """Print the table of every video and of all together."""
    from prettytable import PrettyTable
    from shls.evaluation.functional.boundary_errors import BoundaryErrors
    table = PrettyTable(HEADER)
    total, js, fs = BoundaryErrors(), [], []
    for name, gt_dir in videos_of(args):
        j, f, err = video_errors(args.results, gt_dir, name)
        table.add_row(row(name, j, f, err))
        total, js, fs = total + err, js + [j], fs + [f]
    table.add_row(row('all (mean J, F)', float(np.mean(js)), float(np.mean(fs)), total))
    print(table)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: analyse(args), args.debug)


if __name__ == '__main__':
    sys.exit(main())
