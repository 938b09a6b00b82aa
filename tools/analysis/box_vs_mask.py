"""J&F of box-prompted runs beside mask-prompted ones on DAVIS (README, "Boxes and scribbles").

Each video is segmented twice with the same segmenter: once from its first-frame mask,
once from the tight box of each object of that mask (as a user would draw it), made
into a first mask by :class:`~shls.models.prompts.BoxPromptToMask`. J&F by the DAVIS-2017
protocol (first and last annotated frames not scored).

Example:
    OMP_NUM_THREADS=2 python tools/analysis/box_vs_mask.py ../shared/data/davis --backend pytorch
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import Dict, List

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
    parser.add_argument('--debug', action='store_true')
    return parser.parse_args()


def score(preds: Dict[str, np.ndarray], gt_paths: List[str], name: str) -> float:
    """J&F-Mean (percent) of in-memory predictions keyed by frame stem."""
    from shls.evaluation.metrics.davis_metric import (evaluate_video, global_statistics,
                                                      per_object_statistics)
    j, f = evaluate_video(name, gt_paths, lambda stem: preds[stem])
    rows = per_object_statistics([dict(seq_name=name, J=j, F=f)])
    return 100 * global_statistics(rows)['J&F-Mean']


def run_video(segmenter, frames_dir: str, gt_dir: str, name: str) -> dict:
    """Mask- and box-prompted J&F of one video, and the J of the box's first mask."""
    from shls.apis import open_frames, segment_video
    from shls.apis.box_prompt import first_mask_from_prompt
    from shls.datasets import read_mask
    from shls.datasets.frame_order import sort_frame_paths
    from shls.models.prompts import boxes_of_ids
    gt_paths = sort_frame_paths([osp.join(gt_dir, n) for n in os.listdir(gt_dir)
                                 if n.endswith('.png')])
    first = read_mask(gt_paths[0])
    ids = object_ids_in(first)
    source = open_frames(frames_dir)
    frame0 = next(iter(source))
    box_first = first_mask_from_prompt(frame0, boxes=boxes_of_ids(first, ids),
                                       segmenter=segmenter)
    first_j = float(np.mean([((box_first == k) & (first == k)).sum()
                             / max(1, ((box_first == k) | (first == k)).sum()) for k in ids]))
    row = dict(video=name, objects=len(ids), first_j=100 * first_j)
    for kind, mask in (('mask', first), ('box', box_first)):
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
    print('| video | objects | box first-frame J | J&F mask | J&F box | difference |')
    print('|---|---:|---:|---:|---:|---:|')
    for name in videos:
        row = run_video(segmenter, osp.join(images, name),
                        osp.join(args.root, 'Annotations', '480p', name), name)
        rows.append(row)
        print(f"| {name} | {row['objects']} | {row['first_j']:.1f} | {row['mask']:.1f} | "
              f"{row['box']:.1f} | {row['box'] - row['mask']:+.1f} |", flush=True)
    mean = {k: float(np.mean([r[k] for r in rows])) for k in ('first_j', 'mask', 'box')}
    print(f"| **mean** | | {mean['first_j']:.1f} | {mean['mask']:.1f} | {mean['box']:.1f} | "
          f"{mean['box'] - mean['mask']:+.1f} |")
    return 0


if __name__ == '__main__':
    args_debug = '--debug' in sys.argv
    sys.exit(run_tool(main, args_debug))
