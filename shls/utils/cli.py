"""One-line errors for the command-line tools."""
import argparse
import os
import os.path as osp
import sys
import warnings
from typing import Callable, Optional

from .errors import ConfigError, UserError
from .fs import check_writable


def is_user_error(err: BaseException) -> bool:
    """Whether the tools print ``err`` as one line instead of a traceback.

    A :class:`~shls.utils.errors.UserError` (the checks of shls name the bad file, key or
    option), or an ``OSError`` that the operating system raised on a named file (disk
    full, permission denied, a file removed during the run): neither is a bug of shls.
    Anything else, ``ValueError`` / ``KeyError`` / ``TypeError`` included, is a bug and
    keeps its traceback.
    """
    if isinstance(err, UserError):
        return True
    return isinstance(err, OSError) and err.errno is not None and err.filename is not None


def format_error(err: BaseException) -> str:
    """``error: <Type>: <message>`` on one line.

    Exceptions re-raised by a DataLoader worker carry the worker's traceback in their
    message; the original last line (which names the file) is used instead.
    """
    text = str(err).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].startswith('Caught ') and len(lines) > 1:
        return f'error: {lines[-1]}'
    if isinstance(err, KeyError) and len(err.args) == 1:
        text = str(err.args[0])
        lines = text.splitlines() or ['']
    return f'error: {type(err).__name__}: {lines[0] if lines else ""}'


#: Exit code of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


def run_tool(main: Callable[[], int], debug: bool) -> int:
    """Run ``main``: user errors (:func:`is_user_error`) become one line on stderr and exit
    code 2, Ctrl-C the line ``interrupted`` and exit code 130 (outputs are written
    atomically, so none is left half-written), and warnings one ``warning: ...`` line
    each; any other exception keeps its traceback. File names with bytes that are not
    UTF-8 are printed with backslash escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if callable(getattr(stream, 'reconfigure', None)):
            stream.reconfigure(errors='backslashreplace')
    format_warning = warnings.formatwarning
    warnings.formatwarning = one_line_warning
    try:
        return main()
    except Exception as err:  # noqa: BLE001 (re-raised unless a user error)
        if debug or not is_user_error(err):
            raise
        print(format_error(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if debug:
            raise
        print('interrupted', file=sys.stderr)
        return INTERRUPTED
    finally:
        warnings.formatwarning = format_warning


def one_line_warning(message, category, filename, lineno, line=None) -> str:
    """``warning: <message>`` on one line (instead of Python's two-line format)."""
    text = ' '.join(str(message).split())
    return f'warning: {text}\n'


def add_runner_args(parser: argparse.ArgumentParser, cfg_options_help: str) -> None:
    """Add the options every Runner tool shares: ``--cfg-options``, ``--launcher``,
    ``--local_rank`` (legacy launchers) and ``--debug``."""
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help=cfg_options_help)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help=argparse.SUPPRESS)
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line and export ``LOCAL_RANK`` for legacy launchers."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def set_work_dir(cfg, work_dir: Optional[str], config_path: str) -> None:
    """``--work-dir`` if given, else the config's, else ``work_dirs/<config name>``."""
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])
    check_writable(cfg.work_dir, '--work-dir' if work_dir else 'work dir')


def add_mask_output_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--format`` (how the predicted masks are written) and ``--amp`` (forced mixed
    precision), the options of the tools that segment videos (demo, test)."""
    from shls.datasets.mask_formats import FORMATS
    parser.add_argument('--format', choices=list(FORMATS), default=FORMATS[0],
                        help='predicted masks: palette PNGs, per-object 0/255 PNGs '
                        '(<frame>_<id>.png), or COCO RLE (masks.json per video)')
    parser.add_argument('--amp', action='store_true',
                        help="force mixed precision (= --cfg-options model.test_cfg.autocast=True: "
                        "float16 on CUDA, bfloat16 on a CPU); the shipped configs say "
                        "'auto': chosen by a start-up probe")


def select_device(device: str) -> None:
    """Hide CUDA for ``cpu`` (call it before CUDA initialises); check it exists for ``cuda``.

    Args:
        device: A tool's ``--device``: ``'auto'``, ``'cpu'`` or ``'cuda'``.

    Raises:
        ConfigError: ``'cuda'`` without a CUDA device.
    """
    if device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
    elif device == 'cuda':
        import torch
        if not torch.cuda.is_available():
            raise ConfigError('--device cuda: no CUDA device is available')


def add_engine_args(parser: argparse.ArgumentParser, default_backend: str = 'pytorch') -> None:
    """Add ``--backend``, ``--int8`` / ``--float32``, ``--onnx`` and ``--calib``
    (:mod:`shls.deployment`); read them back with :func:`engine_args`."""
    group = parser.add_argument_group('inference engine of the backbone')
    group.add_argument('--backend', choices=['auto', 'pytorch', 'onnxruntime'],
                       default=default_backend,
                       help='pytorch; onnxruntime (CPU; the backbone exported once into a '
                       'cache keyed by its weights, then reused); auto: pytorch on CUDA, '
                       'on a CPU whichever of the two runs the backbone faster (timed at '
                       'start-up)')
    precision = group.add_mutually_exclusive_group()
    precision.add_argument('--int8', dest='int8', action='store_true',
                           help='onnxruntime: static int8 export calibrated on a few real '
                           'frames (the int8 backbone in PyTorch: --cfg-options '
                           'model.test_cfg.int8=True)')
    precision.add_argument('--float32', dest='int8', action='store_false',
                           default=argparse.SUPPRESS,
                           help='onnxruntime: float32 export (masks as the pytorch backend; '
                           'the default)')
    group.add_argument('--onnx', metavar='FILE',
                       help='onnxruntime: use this exported backbone '
                       '(tools/deployment/export_onnx.py) instead of the cache')
    group.add_argument('--calib', metavar='FRAMES',
                       help='onnxruntime --int8: frame folder / video to calibrate on '
                       '(default: the bundled DAVIS clip)')


def engine_args(args: argparse.Namespace, cache_dir: str):
    """``(backend, EngineOptions)`` of the options of :func:`add_engine_args`."""
    from shls.deployment import engine_options
    return args.backend, engine_options(args.backend, args.onnx, args.int8, args.calib,
                                        cache_dir)
