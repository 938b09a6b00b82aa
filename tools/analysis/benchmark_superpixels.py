"""Benchmark superpixel generators (ISEC, SLIC, grid) on DAVIS frames.

For every method it reports the mean superpixel count, boundary recall (with a pixel
tolerance), corrected undersegmentation error, achievable segmentation accuracy (ASA)
against the DAVIS annotations, and single-thread seconds per frame (best of
``--repeat`` runs per frame); it saves a count-vs-quality / count-vs-time figure and
checks the SHLS paper's Fig. 11 claim that ISEC needs ~30 % fewer superpixels than SLIC,
here measured as the SLIC count that reaches ISEC's ASA (log-count interpolation).

Examples:
    python tools/analysis/benchmark_superpixels.py --frames-per-seq 3
    python tools/analysis/benchmark_superpixels.py --data-root data/davis --repeat 3 \
        --out docs/figures/superpixels_benchmark.png --json work_dirs/spx_bench.json
"""
import os

# Single-threaded numeric libraries, set before they are imported.
for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import argparse  # noqa: E402
import json  # noqa: E402
import os.path as osp  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Dict, List, Optional, Sequence, Tuple  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.evaluation.functional.superpixel_quality import (  # noqa: E402
    achievable_segmentation_accuracy, boundary_recall, undersegmentation_error)
from shls.models.superpixels import (SuperpixelGenerator, GridSuperpixels,  # noqa: E402
                                     ISECSuperpixels, SLICSuperpixels)
from shls.utils.errors import InputNotFoundError  # noqa: E402

Frame = Tuple[str, np.ndarray, np.ndarray]  # (name, RGB image, annotation)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Superpixel count / quality / speed benchmark on DAVIS (ISEC vs SLIC).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--data-root', default=osp.join(osp.dirname(REPO_ROOT), 'shared',
                                                        'data', 'davis'),
                        help='DAVIS root with JPEGImages/480p and Annotations/480p')
    parser.add_argument('--seqs', nargs='+', help='sequences (default: all found)')
    parser.add_argument('--frames-per-seq', type=int, default=3,
                        help='frames per sequence, evenly spaced')
    parser.add_argument('--slic-counts', type=int, nargs='+',
                        default=[300, 600, 1000, 1500, 2500], help='SLIC n_segments sweep')
    parser.add_argument('--isec-f-orders', type=int, nargs='+', default=[7, 9, 13, 15],
                        help='extra f_order values of the SHLS ISEC preset')
    parser.add_argument('--isec-max-sides', type=int, nargs='+', default=[640, 427],
                        help='extra reduced-resolution runs of the SHLS ISEC preset')
    parser.add_argument('--grid', type=int, default=1024,
                        help='grid cells for a reference row (0 to skip)')
    parser.add_argument('--tolerance', type=int, default=2,
                        help='boundary recall tolerance (pixels)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='timing runs per frame (the fastest counts)')
    parser.add_argument('--out', default=osp.join(REPO_ROOT, 'docs', 'figures',
                                                  'superpixels_benchmark.png'),
                        help='output figure (PNG)')
    parser.add_argument('--json', help='also write the raw results to this JSON file')
    return parser.parse_args(argv)


def build_methods(args: argparse.Namespace) -> List[Tuple[str, str, SuperpixelGenerator]]:
    """``(name, family, generator)`` of every benchmarked setting."""
    methods = [(f'SLIC n={n}', 'slic', SLICSuperpixels(n_segments=n))
               for n in args.slic_counts]
    methods.append(('ISEC shls f11 nit4', 'isec', ISECSuperpixels()))
    methods += [(f'ISEC shls f{f}', 'isec', ISECSuperpixels(f_order=f))
                for f in args.isec_f_orders]
    methods.append(('ISEC standalone', 'isec', ISECSuperpixels.standalone()))
    methods += [(f'ISEC shls @{s}px', 'isec', ISECSuperpixels(max_side=s))
                for s in args.isec_max_sides]
    if args.grid > 0:
        methods.append((f'Grid n={args.grid}', 'grid', GridSuperpixels(args.grid)))
    return methods


def load_frames(root: str, seqs: Optional[Sequence[str]], per_seq: int) -> List[Frame]:
    """Evenly spaced ``(name, rgb, annotation)`` frames of each sequence."""
    img_root = osp.join(root, 'JPEGImages', '480p')
    if not osp.isdir(img_root):
        raise InputNotFoundError(f'no DAVIS images under {img_root} (see --data-root)')
    frames = []
    for seq in seqs or sorted(os.listdir(img_root)):
        names = sorted(f[:-4] for f in os.listdir(osp.join(img_root, seq)) if f.endswith('.jpg'))
        picks = np.unique(np.linspace(0, len(names) - 1, per_seq).round().astype(int))
        for name in (names[i] for i in picks):
            bgr = cv2.imread(osp.join(img_root, seq, f'{name}.jpg'), cv2.IMREAD_COLOR)
            ann = cv2.imread(osp.join(root, 'Annotations', '480p', seq, f'{name}.png'),
                             cv2.IMREAD_GRAYSCALE)
            if bgr is None or ann is None:
                raise InputNotFoundError(f'cannot read frame {seq}/{name} under {root}')
            frames.append((f'{seq}/{name}', cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), ann))
    return frames


def evaluate(generator: SuperpixelGenerator, frames: Sequence[Frame], tolerance: int,
             repeat: int) -> Dict[str, float]:
    """Mean count, BR, UE, ASA and best-of-``repeat`` seconds per frame."""
    rows = []
    for _, rgb, ann in frames:
        seconds = np.inf
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            labels = generator(rgb)
            seconds = min(seconds, time.perf_counter() - start)
        rows.append((int(labels.max()) + 1, boundary_recall(labels, ann, tolerance),
                     undersegmentation_error(labels, ann),
                     achievable_segmentation_accuracy(labels, ann), seconds))
    mean = np.mean(np.array(rows, float), axis=0)
    return dict(zip(('count', 'br', 'ue', 'asa', 'seconds'), map(float, mean)))


def slic_count_for(value: float, slic: Sequence[Dict[str, float]], key: str = 'asa'
                   ) -> Optional[float]:
    """SLIC count that reaches ``value`` of ``key`` (log-count interpolation); ``None``
    if ``value`` lies outside SLIC's measured range."""
    pts = sorted((r[key], np.log(r['count'])) for r in slic)
    ys, xs = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    if value < ys[0] or value > ys[-1]:
        return None
    return float(np.exp(np.interp(value, ys, xs)))


def slic_value_at(count: float, slic: Sequence[Dict[str, float]], key: str = 'asa'
                  ) -> Optional[float]:
    """SLIC's ``key`` at ``count`` superpixels (log-count interpolation), ``None`` outside."""
    pts = sorted((np.log(r['count']), r[key]) for r in slic)
    xs, ys = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    if not xs[0] <= np.log(count) <= xs[-1]:
        return None
    return float(np.interp(np.log(count), xs, ys))


def print_table(results: List[Dict], tolerance: int) -> None:
    print(f'{"method":<22}{"count":>8}{f"BR@{tolerance}px":>9}{"UE":>8}{"ASA":>9}'
          f'{"s/frame":>9}')
    for r in results:
        print(f'{r["name"]:<22}{r["count"]:>8.0f}{r["br"]:>9.4f}{r["ue"]:>8.4f}'
              f'{r["asa"]:>9.5f}{r["seconds"]:>9.3f}')


def print_fig11_check(results: List[Dict], claim: float = 0.3) -> None:
    """Compare every ISEC setting with SLIC at matched ASA / boundary recall.

    For each ISEC row, the SLIC count reaching the same ASA (and the same boundary recall)
    is interpolated on SLIC's log-count curve; the paper's claim holds for a row when ISEC
    uses at least ``claim`` (30 %) fewer superpixels than that SLIC count.
    """
    slic = [r for r in results if r['family'] == 'slic']
    print(f'\nFig. 11 check (paper: ISEC ~1000 spx matches SLIC ~1400, i.e. ~30 % fewer); '
          f'"ISEC/SLIC" = ISEC count / SLIC count at equal quality:')
    holds = []
    for r in (r for r in results if r['family'] == 'isec'):
        parts = []
        for key, label in (('asa', 'ASA'), ('br', 'BR')):
            need = slic_count_for(r[key], slic, key)
            if need is None:
                parts.append(f'{label}: outside SLIC range')
                continue
            parts.append(f'{label}: SLIC {need:5.0f}, ISEC/SLIC {r["count"] / need:4.2f}')
            if key == 'asa' and r['count'] <= (1 - claim) * need:
                holds.append(r['name'])
        print(f'  {r["name"]:<22} {r["count"]:>5.0f} spx | ' + ' | '.join(parts))
    print(f'Claim (>= {100 * claim:.0f} % fewer superpixels at equal ASA) holds for: '
          f'{", ".join(holds) if holds else "no ISEC setting"}')


def plot(results: List[Dict], path: str, tolerance: int) -> None:
    """Count vs ASA, count vs boundary recall and count vs seconds per frame."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    panels = (('asa', 'ASA'), ('br', f'boundary recall @{tolerance}px'),
              ('seconds', 's / frame (1 thread)'))
    styles = dict(slic=dict(marker='o', ls='-', c='tab:blue'),
                  isec=dict(marker='s', ls='none', c='tab:red'),
                  grid=dict(marker='^', ls='none', c='tab:gray'))
    for ax, (key, label) in zip(axes, panels):
        for family, style in styles.items():
            rows = sorted((r for r in results if r['family'] == family),
                          key=lambda r: r['count'])
            if rows:
                ax.plot([r['count'] for r in rows], [r[key] for r in rows], label=family,
                        **style)
            for r in rows if family != 'slic' else []:
                ax.annotate(r['name'].replace('ISEC ', ''), (r['count'], r[key]),
                            fontsize=7, xytext=(3, 3), textcoords='offset points')
        ax.set_xscale('log')
        ax.set_xlabel('superpixels per frame (mean)')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle('Superpixels on DAVIS 480p')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    cv2.setNumThreads(1)
    frames = load_frames(args.data_root, args.seqs, args.frames_per_seq)
    print(f'{len(frames)} frames from {args.data_root}; {platform.processor() or "cpu"}, '
          f'{os.cpu_count()} cores visible, 1 thread (cv2, OMP), best of {args.repeat} '
          'run(s) per frame')
    results = []
    for name, family, generator in build_methods(args):
        stats = evaluate(generator, frames, args.tolerance, args.repeat)
        results.append(dict(name=name, family=family, config=repr(generator), **stats))
        print(f'  done {name}', file=sys.stderr)
    print_table(results, args.tolerance)
    print_fig11_check(results)
    plot(results, args.out, args.tolerance)
    print(f'\nfigure: {args.out}')
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
