"""Evaluating the test set of a config with the mmengine Runner.

The code path of ``tools/test.py`` and ``tools/analysis/ablation.py``:
:func:`prepare_test_cfg` applies the command line to a config, :func:`run_test` builds the
Runner, loads the weights strictly and runs the test loop (a
:class:`~shls.engine.VOSTestLoop` streams every video, the evaluator scores the written
masks).
"""
import os.path as osp
from typing import Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from torch import nn

from shls.deployment import EngineOptions, choose_backend, use_onnxruntime
from shls.engine import build_runner, prepare_cpu_distributed
from shls.utils.cli import set_work_dir
from shls.utils.config import load_config
from shls.utils.errors import ConfigError
from shls.utils.errors import InputNotFoundError
from shls.utils.fs import check_output_apart, check_writable
from shls.utils.setup_env import register_all_modules
from .checkpoint import load_weights

#: Config keys a test run needs.
TEST_KEYS = ('test_dataloader', 'test_evaluator', 'test_cfg')


def prepare_test_cfg(config: str, cfg_options: Optional[Sequence[str]] = None,
                     launcher: str = 'none', work_dir: Optional[str] = None,
                     out: Optional[str] = None, checkpoint: Optional[str] = None,
                     out_format: str = 'palette', amp: bool = False,
                     resume: bool = True) -> Config:
    """Load a test config and apply the command line to it.

    Args:
        config: Config file with ``test_dataloader``, ``test_evaluator`` and ``test_cfg``.
        cfg_options: ``KEY=VALUE`` overrides (validated).
        launcher: Job launcher (``'none'``, ``'pytorch'``, ``'slurm'``).
        work_dir: Folder of logs and results (default: the config's, else
            ``work_dirs/<config name>``).
        out: Folder of the predicted masks and the CSV / JSON results.
        checkpoint: The weights, only to keep the outputs apart from them.
        out_format: Predicted masks (``VOSTestLoop`` only): ``'palette'``,
            ``'per-object'`` or ``'coco-rle'``.
        amp: Force mixed precision (``VOSTestLoop`` only).
        resume: Skip the videos an interrupted run finished (``VOSTestLoop`` only).

    Returns:
        The config, ready for :func:`run_test`.

    Raises:
        ConfigError: A config without the test keys, or an unknown override.
        ValueError: Outputs that overlap the test data or the checkpoint.
    """
    cfg = load_config(config, cfg_options)
    missing = [k for k in TEST_KEYS if cfg.get(k) is None]
    if missing:
        raise ConfigError(f'config {config} has no {", ".join(missing)}: add '
                          "'configs/_base_/datasets/davis.py' to its _base_")
    cfg.launcher = launcher
    set_work_dir(cfg, work_dir, config)
    check_outputs_apart(cfg, out, checkpoint)
    if out:
        check_writable(out, 'output folder (--out)')
        cfg.test_cfg.out_dir = out
    if 'VOSTestLoop' in str(cfg.test_cfg.get('type', '')):
        cfg.test_cfg.out_format = out_format
        cfg.test_cfg.amp = amp
        cfg.test_cfg.resume = resume
    _set_results_dir(cfg, out or cfg.work_dir)
    cfg.load_from, cfg.resume = None, False  # loaded strictly by load_weights
    return cfg


def _set_results_dir(cfg: Config, results_dir: str) -> None:
    """Send the CSVs / JSON of every ``DAVISMetric`` without an ``out_dir`` there."""
    evaluators = cfg.test_evaluator
    for metric in evaluators if isinstance(evaluators, list) else [evaluators]:
        if metric.get('type') == 'DAVISMetric' and metric.get('out_dir') is None:
            metric.out_dir = results_dir


def check_outputs_apart(cfg: Config, out: Optional[str] = None,
                        checkpoint: Optional[str] = None) -> None:
    """``out`` and the work dir (default predictions) must be apart from the test data
    and the checkpoint (see :func:`shls.utils.fs.check_output_apart`).

    Raises:
        ValueError: An output folder that is, contains or lies inside an input.
    """
    dataset = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    inputs = {'test data root': dataset.get('data_root') or None, 'checkpoint': checkpoint}
    if out:
        check_output_apart(out, inputs, '--out')
    check_output_apart(cfg.work_dir, inputs, '--work-dir')


def run_test(cfg: Config, checkpoint: Optional[str], backend: str = 'pytorch',
             engine: Optional[EngineOptions] = None) -> Tuple[dict, Runner]:
    """Build the Runner of a prepared config, load the weights strictly, run the test loop.

    Args:
        cfg: A config from :func:`prepare_test_cfg`.
        checkpoint: Checkpoint file; ``None`` only for a model without weights (a
            training-free baseline).
        backend: ``'pytorch'``, ``'onnxruntime'`` (the backbone in ONNX Runtime) or
            ``'auto'`` (the faster of the two here).
        engine: :class:`shls.deployment.EngineOptions` for ``onnxruntime``.

    Returns:
        ``(metrics, runner)``; ``runner.test_loop`` holds the loop (e.g. its timing).

    Raises:
        FileNotFoundError: A missing checkpoint.
        ConfigError: No backbone for ``onnxruntime``, or no checkpoint for a model with
            weights.
    """
    register_all_modules(init_default_scope=False)
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise InputNotFoundError(f'checkpoint not found: {checkpoint}')
    prepare_cpu_distributed(cfg)
    runner = build_runner(cfg)
    model = _unwrap(runner.model)
    if checkpoint is not None:
        load_weights(model, checkpoint)
    if backend != 'pytorch':
        _use_backend(model, backend, engine)
    if checkpoint is None and model.state_dict():
        raise ConfigError(f'{type(model).__name__} of {cfg.filename} has weights: give a '
                          'checkpoint (python tools/test.py CONFIG CHECKPOINT)')
    return runner.test(), runner


def _unwrap(model: nn.Module) -> nn.Module:
    """The model inside a (distributed) wrapper."""
    return model.module if is_model_wrapper(model) else model


def _use_backend(model: nn.Module, backend: str, engine: Optional[EngineOptions]) -> None:
    """Run the model's backbone in ONNX Runtime (``'auto'``: when that is faster here)."""
    if not hasattr(model, 'backbone'):
        raise ConfigError(f'{type(model).__name__} has no backbone to run in onnxruntime')
    if backend == 'auto':
        device = next(model.parameters()).device
        test_cfg = model.test_cfg or {}
        backend = choose_backend(model, device, test_cfg.get('autocast', False), engine,
                                 test_cfg.get('int8', False))
    if backend == 'onnxruntime':
        use_onnxruntime(model, **engine._asdict())
