"""Measure unsupervised saliency estimators against real object masks.

For every method x refiner variant it reports, over a folder of ``images/`` +
``masks/`` (e.g. ``../shared/data/saliency``, 325 images): the mean IoU and the mean
F-measure (beta^2 = 0.3, the saliency literature's convention) of the binary output,
the mean IoU per subset (the stem's prefix before the first ``_``, e.g. ``grabcut`` /
``cocomval``), the MAE of the soft map, how many outputs were empty, and seconds per
image (soft map + refinement, one thread; the map is computed once per method and
shared by its refiners). GrabCut's 128 "unknown" band is ignored by default
(``--unknown``).

Examples:
    python tools/analysis/eval_saliency.py --data-root ../shared/data/saliency
    python tools/analysis/eval_saliency.py --data-root ../shared/data/saliency \
        --methods rbd --refiners otsu --cfg-options n_segments=400 --limit 50
"""
import os

# Single-threaded numeric libraries (comparable timings), set before they are imported.
for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import argparse  # noqa: E402
import json  # noqa: E402
import os.path as osp  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Dict, List, Optional, Sequence, Tuple  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.datasets.image_mask_folder import DatasetError, list_images, read_rgb  # noqa: E402
from shls.registry import MODELS  # noqa: E402
from shls.utils.cli import run_tool  # noqa: E402
from shls.utils.config import parse_options, without_delete_markers  # noqa: E402

#: Soft-map methods: name -> estimator config (its refiner is replaced per variant).
METHODS = {
    'rbd': dict(type='RBDSaliency'),
    'mbd': dict(type='MBDSaliency'),
    'contrast': dict(type='ContrastSaliency'),
    'centre': dict(type='CentrePriorSaliency'),
    'mbd-contrast': dict(type='MBDContrastSaliency'),
}
#: Refiners: name -> SaliencyMaskRefiner arguments.
REFINERS = {
    'otsu': dict(grabcut_iters=0),
    'mean': dict(threshold='mean', grabcut_iters=0),
    'grabcut': dict(grabcut_iters=3),
    'grabcut-free': dict(grabcut_iters=3, grabcut_band=None),
}
BETA2 = 0.3


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Mean IoU / F-measure / speed of saliency estimators on images + masks.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--data-root', required=True,
                        help='folder with images/ and masks/ (same stems)')
    parser.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS),
                        help='soft-map methods')
    parser.add_argument('--refiners', nargs='+', default=['otsu', 'grabcut', 'grabcut-free'],
                        choices=list(REFINERS), help='map-to-mask refinements')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='override estimator arguments of every method, e.g. '
                        'max_side=400 (refiner.* sets refiner arguments of every variant)')
    parser.add_argument('--unknown', choices=['ignore', 'fg', 'bg'], default='ignore',
                        help='how mask value 128 (GrabCut unknown band) counts')
    parser.add_argument('--limit', type=int,
                        help='only N images, evenly spaced in the sorted stems')
    parser.add_argument('--json', help='also write the summaries and per-image scores to '
                        'this file')
    parser.add_argument('--debug', action='store_true', help='full tracebacks')
    return parser.parse_args(argv)


def load_truth(path: str, unknown: str) -> Tuple[np.ndarray, np.ndarray]:
    """``(foreground, valid)`` boolean maps of a 0/(128)/255 mask file."""
    mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise DatasetError(f'cannot read mask {path}')
    band = (mask > 0) & (mask < 255)
    foreground = mask == 255 if unknown != 'fg' else mask > 0
    valid = ~band if unknown == 'ignore' else np.ones(mask.shape, bool)
    return foreground, valid


def scores(pred: np.ndarray, truth: np.ndarray, valid: np.ndarray) -> Tuple[float, float]:
    """IoU and F-measure (beta^2 = 0.3) of a binary prediction on the valid pixels."""
    p, t = pred[valid], truth[valid]
    inter = float(np.count_nonzero(p & t))
    union = float(np.count_nonzero(p | t))
    iou = inter / union if union else 1.0
    precision = inter / max(np.count_nonzero(p), 1)
    recall = inter / max(np.count_nonzero(t), 1)
    denom = BETA2 * precision + recall
    return iou, ((1 + BETA2) * precision * recall / denom if denom else 0.0)


def build_estimators(args: argparse.Namespace) -> Dict[str, object]:
    """One estimator per method, with the command-line overrides."""
    overrides = without_delete_markers(parse_options(args.cfg_options))
    refiner_overrides = {k.split('.', 1)[1]: v for k, v in overrides.items()
                         if k.startswith('refiner.')}
    estimators = {}
    for name in args.methods:
        cfg = dict(METHODS[name])
        cfg.update({k: v for k, v in overrides.items() if not k.startswith('refiner.')})
        estimators[name] = MODELS.build(cfg)
    args.refiner_cfgs = {r: dict(REFINERS[r], **refiner_overrides) for r in args.refiners}
    return estimators


def evaluate(args: argparse.Namespace) -> List[dict]:
    """Score every variant on every image; returns one summary row per variant."""
    import shls.models.saliency  # noqa: F401  (registers the estimators)
    from shls.models.saliency import SaliencyMaskRefiner
    from shls.models.saliency.base import upsample_mask
    images = list_images(osp.join(args.data_root, 'images'))
    stems = sorted(images)
    if args.limit and args.limit < len(stems):
        stems = [stems[i] for i in np.linspace(0, len(stems) - 1, args.limit).astype(int)]
    estimators = build_estimators(args)
    refiners = {r: SaliencyMaskRefiner(**cfg) for r, cfg in args.refiner_cfgs.items()}
    records = defaultdict(list)
    for k, stem in enumerate(stems):
        rgb = read_rgb(images[stem])
        truth, valid = load_truth(osp.join(args.data_root, 'masks', stem + '.png'),
                                  args.unknown)
        for method, estimator in estimators.items():
            start = time.perf_counter()
            small, soft = estimator.working_map(rgb)
            map_time = time.perf_counter() - start
            full = cv2.resize(soft, truth.shape[::-1], interpolation=cv2.INTER_LINEAR)
            mae = float(np.abs(full - truth)[valid].mean())
            for name, refiner in refiners.items():
                start = time.perf_counter()
                mask = upsample_mask(refiner(small, soft), truth.shape) > 0
                seconds = map_time + time.perf_counter() - start
                iou, fmeasure = scores(mask, truth, valid)
                records[f'{method}+{name}'].append(dict(
                    stem=stem, iou=iou, f=fmeasure, mae=mae, s=seconds,
                    empty=not mask.any()))
        print(f'\r{k + 1}/{len(stems)} images', end='', file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return [dict(summarise(name, rows), per_image=rows) for name, rows in records.items()]


def summarise(name: str, rows: List[dict]) -> dict:
    """Means over the images (and per subset) of one variant."""
    subsets = defaultdict(list)
    for row in rows:
        subsets[row['stem'].split('_', 1)[0]].append(row['iou'])
    return dict(variant=name, images=len(rows),
                iou=float(np.mean([r['iou'] for r in rows])),
                f=float(np.mean([r['f'] for r in rows])),
                mae=float(np.mean([r['mae'] for r in rows])),
                empty=int(sum(r['empty'] for r in rows)),
                s_per_image=float(np.mean([r['s'] for r in rows])),
                subset_iou={k: float(np.mean(v)) for k, v in sorted(subsets.items())})


def print_table(results: List[dict]) -> None:
    """Markdown table of the summaries."""
    subsets = sorted({k for r in results for k in r['subset_iou']})
    head = ['variant', 'mIoU', 'F(b2=.3)'] + [f'IoU {s}' for s in subsets] + \
        ['MAE map', 'empty', 's/img']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in results:
        cells = [r['variant'], f'{r["iou"]:.3f}', f'{r["f"]:.3f}']
        cells += [f'{r["subset_iou"].get(s, float("nan")):.3f}' for s in subsets]
        cells += [f'{r["mae"]:.3f}', str(r['empty']), f'{r["s_per_image"]:.3f}']
        print('| ' + ' | '.join(cells) + ' |')


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)

    def run() -> int:
        results = evaluate(args)
        print_table(results)
        if args.json:
            with open(args.json, 'w', encoding='utf-8') as f:
                json.dump(dict(args=vars(args), results=results), f, indent=1)
        return 0

    return run_tool(run, debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())
