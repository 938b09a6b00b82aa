"""Make 0/255 PNG pseudo object masks for a folder of images, without training.

Each image ``IMAGES_DIR/<stem>.<ext>`` gets ``OUT_DIR/<stem>.png`` (255 = object) from an
unsupervised saliency estimator of ``shls.models.saliency``. The run is resumable: masks
already in ``OUT_DIR`` are skipped (each is written atomically, so an existing file is
complete), and leftovers of a killed run (hidden ``*.tmp`` files older than a minute) are
removed. ``OUT_DIR/.pseudo_masks.json`` records the estimator with its settings and
IMAGES_DIR; resuming with other settings or images is an error unless ``--overwrite``
(which recomputes every mask). OUT_DIR may not be, contain or lie inside IMAGES_DIR, and a
folder that holds PNGs but no ``.pseudo_masks.json`` (not made by this tool) is refused,
with or without ``--overwrite``.

An unreadable image is reported with a warning and skipped; the run goes on, and ends
with exit code 1 (not 0) and the count of such images. User errors (missing or empty
IMAGES_DIR, unwritable OUT_DIR, unknown method or option) are one line and exit code 2.

Examples:
    python tools/make_pseudo_masks.py data/myimages/images \
        data/myimages/pseudo_masks/MBDContrastSaliency
    python tools/make_pseudo_masks.py IMAGES OUT --method MBDSaliency \
        --cfg-options max_side=400 refiner.grabcut_iters=0

Training then reads them with ``mask_dir='pseudo_masks/MBDContrastSaliency'`` (or, with
``mask_dir=None, saliency=dict(type='MBDContrastSaliency')``, as its cache).
"""
import os

for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import argparse  # noqa: E402
import os.path as osp  # noqa: E402
import sys  # noqa: E402
from typing import Optional, Sequence  # noqa: E402

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from shls.utils.cli import run_tool  # noqa: E402

DEFAULT_METHOD = 'MBDContrastSaliency'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Unsupervised 0/255 PNG pseudo-masks for a folder of images '
        '(resumable).', formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('images_dir', metavar='IMAGES_DIR', help='folder of images')
    parser.add_argument('out_dir', metavar='OUT_DIR', help='folder for <stem>.png masks')
    parser.add_argument('--method', default=DEFAULT_METHOD,
                        help='saliency estimator type (MBDContrastSaliency, MBDSaliency, '
                        'RBDSaliency, ContrastSaliency, CentrePriorSaliency)')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='estimator arguments, e.g. max_side=400 '
                        'refiner.grabcut_iters=5')
    parser.add_argument('--img-suffix', nargs='+', default=['.jpg', '.jpeg', '.png', '.bmp'],
                        help='image file suffixes (case-insensitive)')
    parser.add_argument('--overwrite', action='store_true',
                        help='recompute every mask, even existing ones')
    parser.add_argument('--debug', action='store_true', help='full tracebacks')
    return parser.parse_args(argv)


def estimator_config(method: str, options: Sequence[str]) -> dict:
    """``dict(type=method, **options)`` with dotted keys nested (``refiner.x=1``); an
    option the estimator does not take is a ConfigError."""
    import shls.models.saliency  # noqa: F401  (registers the estimators)
    from shls.registry import MODELS
    from shls.utils.config import check_arguments, parse_options, without_delete_markers
    cfg = dict(type=method)
    for key, value in without_delete_markers(parse_options(options)).items():
        node = cfg
        *parents, last = key.split('.')
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    if MODELS.get(method) is not None:  # an unknown method: build_estimator says so
        check_arguments(MODELS.get(method), [k for k in cfg if k != 'type'],
                        f'--cfg-options: {method}')
    return cfg


def make_masks(args: argparse.Namespace) -> int:
    """Estimate the missing masks; returns the exit code."""
    from tqdm import tqdm

    from shls.datasets.image_mask_folder import DatasetError, list_images, read_rgb
    from shls.datasets.pseudo_mask_folder import META_NAME, PseudoMaskStore, build_estimator
    from shls.utils.fs import check_output_apart
    check_output_apart(args.out_dir, {'images folder': args.images_dir}, 'OUT_DIR')
    images = list_images(args.images_dir, args.img_suffix)
    estimator = build_estimator(estimator_config(args.method, args.cfg_options))
    store = PseudoMaskStore(args.out_dir, estimator, args.images_dir,
                           overwrite=args.overwrite)
    cleaned = store.remove_stale_temp_files()
    todo = [s for s in images if args.overwrite or not store.has(s)]
    done = len(images) - len(todo)
    note = f'; removed {cleaned} stale temporary files' if cleaned else ''
    print(f'{len(images)} images in {args.images_dir}; {done} masks already in '
          f'{args.out_dir} (skipped); {len(todo)} to make with {type(estimator).__name__} '
          f'(settings: {osp.join(args.out_dir, META_NAME)}){note}')
    failed = []
    for stem in tqdm(todo, desc='pseudo-masks', unit='img', dynamic_ncols=True):
        try:
            image = read_rgb(images[stem])
        except DatasetError as err:
            tqdm.write(f'warning: skipped: {err}', file=sys.stderr)
            failed.append(stem)
            continue
        store.compute(stem, image)
    print(f'done: {len(todo) - len(failed)} masks written, {done} skipped (existing), '
          f'{len(failed)} unreadable images skipped')
    return 1 if failed else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: make_masks(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())
