"""Evaluate a shls model on DAVIS (semi-supervised J&F) with the mmengine Runner.

Examples:
    python tools/test.py CONFIG CHECKPOINT --cfg-options test_dataloader.dataset.data_root=ROOT
    python tools/test.py CONFIG CHECKPOINT --out work_dirs/preds      # PNGs + CSV/JSON there
    bash tools/dist_test.sh CONFIG CHECKPOINT 4   # 4 processes, each video on one of them
    python tools/test.py configs/baselines/dis-flow_davis.py   # no weights, no checkpoint

The config needs ``test_dataloader``, ``test_evaluator`` and ``test_cfg`` (add
``configs/_base_/datasets/davis.py`` to its ``_base_``, or ``youtube_vos.py``: masks
only). Predicted masks go to ``<out>/<sequence>/`` (default
``<work_dir>/predictions/<data root name>-<hash of its path>``)
as ``<frame>.png`` palette PNGs, or with ``--format`` per-object 0/255 PNGs
(``<frame>_<id>.png``) or COCO RLE (``masks.json``); the official-style CSVs and a JSON go
to ``--out`` (default: the work dir). A rerun with the same weights, settings and data
(frame names, sizes and modification times, first annotation, data root) skips the videos a
killed run finished (``--no-resume`` redoes them). ``--out`` and ``--work-dir`` may not be,
contain or lie inside the data root.
"""
import argparse
import os.path as osp
import sys
from typing import Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from shls.utils.cli import (add_engine_args, add_mask_output_args, add_runner_args,  # noqa: E402
                            engine_args, parse_runner_args, run_tool, select_device)
from shls.utils.errors import ConfigError  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Segment the DAVIS videos of a config and print J&F.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config file with test_dataloader / test_evaluator')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint file (loaded strictly); omit it for a model without '
                        'weights (configs/baselines/)')
    parser.add_argument('--work-dir', help='folder for logs and results '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--out', help='folder for the predicted PNGs (<out>/<sequence>/) and '
                        'the CSV / JSON results')
    parser.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto',
                        help='auto: CUDA when available')
    add_mask_output_args(parser)
    parser.add_argument('--no-resume', action='store_true',
                        help='segment every video again, even those an interrupted run '
                        'with the same weights and settings finished')
    add_engine_args(parser)
    add_runner_args(parser, 'override config keys, e.g. '
                    'test_dataloader.dataset.data_root=ROOT')
    return parse_runner_args(parser)


def print_summary(metrics: dict, fps: Optional[float] = None) -> None:
    """The global J&F table on stdout (+ frames/s of the test loop when given)."""
    from prettytable import PrettyTable
    values = {k.split('/', 1)[-1]: v for k, v in metrics.items()}
    columns = [k for k in values if k.startswith(('J&F', 'J-', 'F-'))]
    cells = [f'{values[c]:.2f}' for c in columns]
    if fps is not None:
        columns, cells = columns + ['FPS'], cells + [f'{fps:.2f}']
    table = PrettyTable(columns)
    table.add_row(cells)
    print(table, flush=True)


def build_cfg(args: argparse.Namespace):
    """Load the config and apply the command line to it
    (:func:`shls.apis.evaluate.prepare_test_cfg`)."""
    from shls.apis.evaluate import prepare_test_cfg
    return prepare_test_cfg(args.config, args.cfg_options, launcher=args.launcher,
                            work_dir=args.work_dir, out=args.out, checkpoint=args.checkpoint,
                            out_format=args.format, amp=args.amp, resume=not args.no_resume)


def test(args: argparse.Namespace) -> int:
    """Evaluate the config's test set and print the summary."""
    select_device(args.device)
    from mmengine.dist import is_main_process

    from shls.apis.evaluate import run_test
    from shls.engine import finish_distributed
    from shls.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = build_cfg(args)
    backend, engine = engine_args(args, osp.join(cfg.work_dir, 'onnx_cache'))
    if backend == 'onnxruntime' and args.device == 'cuda':
        raise ConfigError('--backend onnxruntime runs on the CPU: use --device cpu')
    metrics, runner = run_test(cfg, args.checkpoint, backend, engine)
    if is_main_process() and not metrics:  # e.g. YouTube-VOS valid: no ground truth
        print(f'no ground truth to score; masks in {runner.test_loop.pred_root}', flush=True)
    elif is_main_process():
        print_summary(metrics, getattr(runner.test_loop, 'fps', None))
    finish_distributed()
    return 0


def main() -> int:
    args = parse_args()
    return run_tool(lambda: test(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())
