"""Run several test configs on one DAVIS root and tabulate J&F, J, F and FPS.

Each config goes through the code path of ``tools/test.py`` (:mod:`shls.apis.evaluate`,
in this process): VOSTestLoop streams every video, DAVISMetric scores the written masks.
Per config, predictions, logs and the official-style CSVs go to
``<out>/<config name>/``; the summary table is printed and saved as
``<out>/ablation.csv`` and ``<out>/ablation.md`` (atomic writes).

Examples:
    # the paper's Table 1 with one checkpoint (the full model):
    python tools/analysis/ablation.py configs/ablations/*table1*.py \\
        --checkpoint work_dirs/refine/iter_2000.pth --data-root ../shared/data/davis \\
        --out work_dirs/ablation_table1
    # one checkpoint per config:
    python tools/analysis/ablation.py A.py B.py --checkpoints a.pth b.pth --data-root ROOT \\
        --out OUT

FPS = frames / wall time of the test loop's streaming (reading the JPEGs, superpixels,
segmentation, writing the PNGs); model building and scoring are not counted.
"""
import argparse
import csv
import io
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Sequence

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from shls.utils.cli import run_tool, select_device  # noqa: E402
from shls.utils.errors import ConfigError, InputNotFoundError  # noqa: E402

COLUMNS = ('config', 'J&F', 'J', 'F', 'FPS')
METRIC_KEYS = {'J&F': 'J&F-Mean', 'J': 'J-Mean', 'F': 'F-Mean'}


def parse_args(argv: Sequence[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Evaluate a list of configs on a DAVIS root; print and save one '
        'table of J&F, J, F and FPS.')
    parser.add_argument('configs', nargs='+', help='test configs (e.g. configs/ablations/*)')
    ckpt = parser.add_mutually_exclusive_group(required=True)
    ckpt.add_argument('--checkpoint', help='one checkpoint for every config')
    ckpt.add_argument('--checkpoints', nargs='+', help='one checkpoint per config, in order')
    parser.add_argument('--data-root', required=True,
                        help='DAVIS root (JPEGImages/480p, Annotations/480p, ImageSets/2017)')
    parser.add_argument('--out', required=True,
                        help='output folder: ablation.csv, ablation.md, <config name>/')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='overrides applied to every config, e.g. '
                        'test_dataloader.dataset.sequences=[blackswan]')
    parser.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto',
                        help='auto: CUDA when available')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')
    return parser.parse_args(argv)


def plan_runs(args: argparse.Namespace) -> List[Dict[str, str]]:
    """``(name, config, checkpoint)`` per run; names unique, checks the inputs exist."""
    checkpoints = args.checkpoints or [args.checkpoint] * len(args.configs)
    if len(checkpoints) != len(args.configs):
        raise ConfigError(f'--checkpoints: {len(checkpoints)} given for '
                          f'{len(args.configs)} configs')
    if not osp.isdir(args.data_root):
        raise InputNotFoundError(f'--data-root: no such folder: {args.data_root}')
    runs, seen = [], set()
    for config, checkpoint in zip(args.configs, checkpoints):
        for path, what in ((config, 'config'), (checkpoint, 'checkpoint')):
            if not osp.isfile(path):
                raise InputNotFoundError(f'{what} not found: {path}')
        name = osp.splitext(osp.basename(config))[0]
        while name in seen:
            name += '_'
        seen.add(name)
        runs.append(dict(name=name, config=config, checkpoint=checkpoint))
    return runs


def evaluate(run: Dict[str, str], args: argparse.Namespace) -> Dict[str, object]:
    """Test one config as ``tools/test.py`` does (:mod:`shls.apis.evaluate`); returns its
    table row."""
    from shls.apis.evaluate import prepare_test_cfg, run_test
    folder = osp.join(args.out, run['name'])
    options = [f'test_dataloader.dataset.data_root={args.data_root}', *args.cfg_options]
    cfg = prepare_test_cfg(run['config'], options, work_dir=folder, out=folder)
    cfg.test_cfg.progress = False
    cfg.experiment_name = f'ablation_{run["name"]}_{time.strftime("%Y%m%d_%H%M%S")}'
    metrics, runner = run_test(cfg, run['checkpoint'])
    values = {k.split('/', 1)[-1]: v for k, v in metrics.items()}
    row = {'config': run['name'], 'checkpoint': run['checkpoint']}
    row.update({col: float(values[key]) for col, key in METRIC_KEYS.items()})
    row['FPS'] = float(runner.test_loop.fps)
    return row


def _cells(row: Dict[str, object], columns: Sequence[str]) -> List[str]:
    return [f'{row[c]:.2f}' if isinstance(row[c], float) else str(row[c]) for c in columns]


def table_text(rows: List[Dict[str, object]]) -> str:
    """The console table (config, J&F, J, F, FPS)."""
    from prettytable import PrettyTable
    table = PrettyTable(list(COLUMNS))
    for row in rows:
        table.add_row(_cells(row, COLUMNS))
    table.align['config'] = 'l'
    return table.get_string()


def csv_text(rows: List[Dict[str, object]]) -> str:
    """CSV with a checkpoint column after the config."""
    columns = ['config', 'checkpoint', *COLUMNS[1:]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(columns)
    writer.writerows(_cells(row, columns) for row in rows)
    return buffer.getvalue()


def markdown_text(rows: List[Dict[str, object]]) -> str:
    """A GitHub Markdown table with the same columns as the CSV."""
    columns = ['config', 'checkpoint', *COLUMNS[1:]]
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '|'.join([' --- '] * 2 + [' ---: '] * (len(columns) - 2)) + '|']
    for row in rows:
        cells = [c.replace('|', '\\|') for c in _cells(row, columns)]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def save(rows: List[Dict[str, object]], out: str) -> None:
    """``<out>/ablation.csv`` and ``<out>/ablation.md``, each written atomically."""
    from shls.datasets.mask_io import atomic_write_bytes
    atomic_write_bytes(osp.join(out, 'ablation.csv'), csv_text(rows).encode())
    atomic_write_bytes(osp.join(out, 'ablation.md'), markdown_text(rows).encode())


def ablate(args: argparse.Namespace) -> int:
    """Evaluate every config and save the table."""
    select_device(args.device)
    from shls.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    runs = plan_runs(args)
    from shls.utils.fs import check_output_apart
    check_output_apart(args.out, {'data root': args.data_root}, '--out')
    os.makedirs(args.out, exist_ok=True)
    rows = [evaluate(run, args) for run in runs]
    save(rows, args.out)
    print(table_text(rows), flush=True)
    return 0


def main(argv: Sequence[str] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: ablate(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())
