"""Train a shls model with the mmengine Runner.

Examples:
    python tools/train.py configs/shls/shls_r18-cpu_slic_1xb1-2k_saliency-256.py
    python tools/train.py CONFIG --work-dir work_dirs/run1 --cfg-options train_cfg.max_iters=20
    bash tools/dist_train.sh CONFIG 8          # 8 GPUs (or 8 CPU processes with gloo)
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from shls.utils.cli import (add_runner_args, parse_runner_args, run_tool,  # noqa: E402
                            set_work_dir)
from shls.utils.config import load_config  # noqa: E402
from shls.utils.errors import ConfigError  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a shls model (stage 1 / stage 2) with the mmengine Runner.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='training config file (Python)')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume training: from the latest checkpoint in the work dir '
                        'when given alone, or from the checkpoint path given')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (needs a CUDA device)')
    parser.add_argument('--data-root', help='set data_root of every dataloader\'s dataset '
                        '(a still-image folder with images/ and masks/, or MSRA10K)')
    add_runner_args(parser, 'override config keys, e.g. train_cfg.max_iters=20; a key '
                    'that the config or the component does not know is an error')
    return parse_runner_args(parser)


def build_cfg(args: argparse.Namespace):
    """Load the config and apply the command line to it."""
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.data_root:
        for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(name) is not None:
                cfg[name]['dataset']['data_root'] = args.data_root
    set_work_dir(cfg, args.work_dir, args.config)
    add_iteration_seed_hook(cfg)
    if args.amp:
        import torch
        if not torch.cuda.is_available():
            raise ConfigError('--amp needs a CUDA device; none is available')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        # the path is resolved here, not by the Runner: mmengine trusts `last_checkpoint`,
        # which a kill can leave empty (mmengine writes it in place)
        latest = latest_checkpoint(cfg.work_dir)
        cfg.resume, cfg.load_from = True, latest
        check_resume_checkpoint(latest)
    elif args.resume:
        if not osp.isfile(args.resume):
            raise ConfigError(f'--resume: checkpoint {args.resume} does not exist')
        check_resume_checkpoint(args.resume)
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def add_iteration_seed_hook(cfg) -> None:
    """Reseed every iteration, so that ``--resume`` repeats the uninterrupted run (see
    :class:`shls.engine.hooks.IterationSeedHook`)."""
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') in ('IterationSeedHook', 'shls.IterationSeedHook')
               for h in hooks):
        hooks.append(dict(type='IterationSeedHook'))
    cfg.custom_hooks = hooks


def check_resume_fits(runner, cfg) -> None:
    """A one-line error for ``--resume`` from a checkpoint of another model (mmengine
    would only warn about mismatched weights, or fail deep inside the optimizer)."""
    if not cfg.get('resume'):
        return
    path = cfg.get('load_from') or latest_checkpoint(cfg.work_dir)
    if path is None:
        return
    from mmengine.model import is_model_wrapper

    from shls.apis.checkpoint import checked_state_dict
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    try:
        checked_state_dict(model, path)
    except ValueError as err:
        raise ConfigError(f'--resume: {err}') from err


def latest_checkpoint(work_dir: str):
    """The checkpoint ``--resume`` alone continues from (None if there is none): the one
    ``last_checkpoint`` names, else (pointer empty or naming a missing file) the
    ``iter_<n>.pth`` of the work dir with the largest ``n``."""
    import glob
    import re

    from mmengine.runner import find_latest_checkpoint
    if not osp.isdir(work_dir):
        return None
    path = find_latest_checkpoint(work_dir)
    if path and osp.isfile(path):
        return path
    pattern = osp.join(glob.escape(work_dir), 'iter_*.pth')
    found = [(int(m.group(1)), p) for p in glob.glob(pattern)
             if (m := re.fullmatch(r'iter_(\d+)\.pth', osp.basename(p)))]
    return max(found)[1] if found else None


def check_resume_checkpoint(path) -> None:
    """A one-line error now, instead of a traceback from the Runner, for a checkpoint that
    cannot be read (e.g. cut short by a kill while it was saved)."""
    if path is None:
        return
    from shls.apis.checkpoint import read_checkpoint
    try:
        read_checkpoint(path)
    except ValueError as err:
        raise ConfigError(f'--resume: {err}; resume from an earlier checkpoint with '
                          '--resume PATH') from err


def check_training_data(cfg) -> None:
    """Refuse before training when no mask of the training set holds an object, and when
    the work dir overlaps the training data (see :func:`shls.utils.fs.check_output_apart`)."""
    from shls.registry import DATASETS
    from shls.utils.fs import check_output_apart
    dataset_cfg = (cfg.get('train_dataloader') or {}).get('dataset')
    if dataset_cfg is None:
        return
    data_root = dataset_cfg.get('data_root')
    if data_root:
        check_output_apart(cfg.work_dir, {'training data root': data_root}, '--work-dir')
    dataset = DATASETS.build(dataset_cfg)
    if hasattr(dataset, 'check_has_objects'):
        dataset.check_has_objects()


def train(args: argparse.Namespace) -> int:
    """Build the Runner from the config and train."""
    from shls.engine import build_runner, finish_distributed, prepare_cpu_distributed
    from shls.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = build_cfg(args)
    check_training_data(cfg)
    prepare_cpu_distributed(cfg)
    runner = build_runner(cfg)
    check_resume_fits(runner, cfg)
    runner.train()
    finish_distributed()
    return 0


def main() -> int:
    args = parse_args()
    return run_tool(lambda: train(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())
