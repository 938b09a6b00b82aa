"""J&F of box-prompted runs beside mask-prompted ones on DAVIS (README, "Boxes and scribbles").

Each video is segmented twice with the same segmenter: once from its first-frame mask,
once from the tight box of each object of that mask (as a user would draw it), made
into a first mask by :class:`~shls.models.prompts.BoxPromptToMask`. J&F by the DAVIS-2017
protocol (first and last annotated frames not scored).

``--shift 2 -2`` adds a run from the first-frame mask with every object grown by 2 pixels
and one with every object shrunk by 2 (:func:`~shls.evaluation.functional.shift_objects`):
how exact a first mask must be for a run to stay close to the mask-prompted one (a shrink
that removes every object scores 0, as a run that lost them would).

Example:
    OMP_NUM_THREADS=2 python tools/analysis/box_vs_mask.py ../shared/data/davis --backend pytorch
    python tools/analysis/box_vs_mask.py ../shared/data/davis --shift 2 -2
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Sequence

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

from shls.structures.ids import object_ids_in  # noqa: E402
from shls.utils.cli import run_tool  # noqa: E402

from shls.utils.shipped import SHIPPED_CHECKPOINT as DEFAULT_CHECKPOINT  # noqa: E402
from shls.utils.shipped import SHIPPED_CONFIG as DEFAULT_CONFIG  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='DAVIS root (JPEGImages/480p, Annotations/480p)')
    parser.add_argument('--videos', nargs='+', help='default: every video of the root')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--checkpoint', default=DEFAULT_CHECKPOINT)
    parser.add_argument('--backend', default='pytorch', choices=['pytorch', 'onnxruntime'])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--shift', nargs='+', type=shift_pixels, default=[], metavar='PIXELS',
                        help='also run from the first mask with its objects grown (> 0) or '
                        'shrunk (< 0) by this many pixels, e.g. --shift 2 -2')
    parser.add_argument('--debug', action='store_true')
    return parser.parse_args()


def shift_pixels(text: str) -> int:
    """A ``--shift`` value: a non-zero whole number of pixels, at most 50 either way."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a whole number of pixels: {text!r}') from None
    if value == 0 or abs(value) > 50:
        raise argparse.ArgumentTypeError(f'a shift is 1..50 pixels either way, got {value}')
    return value


def shift_name(pixels: int) -> str:
    """Column key of a ``--shift`` run (``'mask+2px'``, ``'mask-2px'``)."""
    return f'mask{pixels:+d}px'


def mean_j(mask: np.ndarray, first: np.ndarray, ids: List[int]) -> float:
    """Mean over ``ids`` of the J (percent) of ``mask`` against ``first``."""
    from shls.evaluation.functional import region_similarity
    ids = np.asarray(ids)[:, None, None]
    return 100 * float(np.mean(region_similarity(mask[None] == ids, first[None] == ids)))


def score(preds: Dict[str, np.ndarray], gt_paths: List[str], name: str) -> float:
    """J&F-Mean (percent) of in-memory predictions keyed by frame stem."""
    from shls.evaluation.metrics.davis_metric import (evaluate_video, global_statistics,
                                                      per_object_statistics)
    j, f = evaluate_video(name, gt_paths, lambda stem: preds[stem])
    rows = per_object_statistics([dict(seq_name=name, J=j, F=f)])
    return 100 * global_statistics(rows)['J&F-Mean']


def run_video(segmenter, frames_dir: str, gt_dir: str, name: str,
              shifts: Sequence[int] = ()) -> dict:
    """Mask- and box-prompted J&F of one video, and the J of the box's first mask (and
    the same of each shifted first mask)."""
    from shls.apis import open_frames, segment_video
    from shls.apis.box_prompt import first_mask_from_prompt
    from shls.datasets import read_mask
    from shls.datasets.frame_order import sort_frame_paths
    from shls.evaluation.functional import shift_objects
    from shls.models.prompts import boxes_of_ids
    gt_paths = sort_frame_paths([osp.join(gt_dir, n) for n in os.listdir(gt_dir)
                                 if n.endswith('.png')])
    first = read_mask(gt_paths[0])
    ids = object_ids_in(first)
    source = open_frames(frames_dir)
    frame0 = next(iter(source))
    box_first = first_mask_from_prompt(frame0, boxes=boxes_of_ids(first, ids),
                                       segmenter=segmenter)
    row = dict(video=name, objects=len(ids), first_j=mean_j(box_first, first, ids))
    runs = [('mask', first), ('box', box_first)]
    for pixels in shifts:
        shifted = shift_objects(first, pixels)
        row[f'{shift_name(pixels)}_first_j'] = mean_j(shifted, first, ids)
        runs.append((shift_name(pixels), shifted))
    for kind, mask in runs:
        if not object_ids_in(mask):  # shrunk away: a run that loses every object
            row[kind], row[f'{kind}_s'] = 0.0, 0.0
            continue
        start = time.perf_counter()
        preds = {source.frame_name(i): p
                 for i, p in enumerate(segment_video(segmenter, source, mask))}
        row[kind] = score(preds, gt_paths, name)
        row[f'{kind}_s'] = time.perf_counter() - start
    return row


def main() -> int:
    args = parse_args()
    from shls.apis import init_segmenter
    segmenter = init_segmenter(args.config, args.checkpoint, args.device,
                               backend=args.backend)
    images = osp.join(args.root, 'JPEGImages', '480p')
    videos = args.videos or sorted(os.listdir(images))
    rows = []
    args.shift = list(dict.fromkeys(args.shift))  # each shift once
    shifted = [shift_name(p) for p in args.shift]
    header = ['video', 'objects', 'box first-frame J', 'J&F mask', 'J&F box', 'difference']
    for key in shifted:
        header += [f'{key} first-frame J', f'J&F {key}', 'difference']
    print('| ' + ' | '.join(header) + ' |')
    print('|---|' + '---:|' * (len(header) - 1))
    for name in videos:
        row = run_video(segmenter, osp.join(images, name),
                        osp.join(args.root, 'Annotations', '480p', name), name, args.shift)
        rows.append(row)
        print(table_row(name, row, shifted), flush=True)
    keys = ['first_j', 'mask', 'box'] + [k for s in shifted for k in (f'{s}_first_j', s)]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    print(table_row('**mean**', dict(mean, objects=''), shifted))
    return 0


def table_row(name: str, row: dict, shifted: Sequence[str]) -> str:
    """One Markdown row: the box run beside the mask run, then each shifted run."""
    cells = [name, str(row['objects']), f"{row['first_j']:.1f}", f"{row['mask']:.1f}",
             f"{row['box']:.1f}", f"{row['box'] - row['mask']:+.1f}"]
    for key in shifted:
        cells += [f"{row[key + '_first_j']:.1f}", f'{row[key]:.1f}',
                  f"{row[key] - row['mask']:+.1f}"]
    return '| ' + ' | '.join(cells) + ' |'


if __name__ == '__main__':
    args_debug = '--debug' in sys.argv
    sys.exit(run_tool(main, args_debug))
