"""Swap a model's backbone for an ONNX Runtime engine, exported once into a cache.

``use_onnxruntime(model, ...)`` replaces ``model.backbone`` by an
:class:`~shls.deployment.OnnxRuntimeBackbone`. Without an explicit ``.onnx`` file the
backbone is exported (and for ``int8`` quantized, calibrated on a few real frames) into
``cache_dir`` under a name keyed by the hash of the backbone's weights, its class and
shapes, the precision and the calibration frames' pixels, so the same weights are exported once
and reused, and other weights never reuse a stale file.
"""
import hashlib
import json
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Union

import numpy as np
import torch
from mmengine.logging import print_log
from torch import nn

from shls.utils.errors import ConfigError, InputNotFoundError
from shls.utils.shipped import DEMO_FRAMES
from .int8 import Int8Setting, choose_int8, int8_call, int8_request, quantizable
from .onnx_export import OPSET, export_backbone_onnx, quantize_onnx_int8
from .ort_backbone import OnnxRuntimeBackbone
from .precision import (PrecisionSetting, backbone_call, interleaved_best_ms,
                        precision_name, resolve_autocast)

#: Inference engines of the per-frame encoder; ``auto`` = the faster of the two here.
BACKENDS = ('pytorch', 'onnxruntime', 'auto')
#: ``(H, W)`` of the frame timed by :func:`choose_backend`.
CHOICE_PROBE_SIZE = (240, 432)
#: ONNX Runtime must be this many times faster to be chosen (timing noise).
CHOICE_MARGIN = 1.15
#: Where ``int8`` calibration frames come from by default: the bundled DAVIS clip.
DEFAULT_CALIBRATION = DEMO_FRAMES
CALIBRATION_FRAMES = 8
DEFAULT_CACHE = osp.join('work_dirs', 'onnx_cache')
#: Environment variables that cap the vector extensions of PyTorch's kernel libraries
#: (part of the key of a remembered choice).
ISA_CAPS = ('ATEN_CPU_CAPABILITY', 'ONEDNN_MAX_CPU_ISA', 'FBGEMM_ENABLE_INSTRUCTIONS')
#: Bump when the export or quantization recipe changes (invalidates cached files).
RECIPE_VERSION = 1


class EngineOptions(NamedTuple):
    """Options of the ONNX Runtime backend (:func:`shls.deployment.use_onnxruntime`).

    Attributes:
        onnx_file: An exported engine to use as is; ``None`` = export into the cache.
        cache_dir: Cache folder of the exports (default ``work_dirs/onnx_cache``).
        int8: Use the int8 (static, calibrated) export.
        calibration: Frame folder / video calibrating int8 (default: the bundled clip).
    """

    onnx_file: Optional[str] = None
    cache_dir: Optional[str] = None
    int8: bool = False
    calibration: Optional[str] = None


def check_backend(backend: str) -> str:
    """``backend`` if it names an engine of :data:`BACKENDS`, else a ValueError."""
    if backend not in BACKENDS:
        raise ConfigError(f'unknown backend {backend!r}; choose one of {", ".join(BACKENDS)}')
    return backend


def weights_digest(module: nn.Module) -> str:
    """sha256 of a module's class, state-dict names, shapes and values."""
    digest = hashlib.sha256(type(module).__qualname__.encode())
    for name, tensor in module.state_dict().items():
        data = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f'{name}:{tuple(tensor.shape)}:{data.dtype}'.encode())
        digest.update(data.view(torch.uint8).numpy().tobytes() if data.numel() else b'')
    return digest.hexdigest()


def calibration_images(model: nn.Module, frames: Optional[str] = None,
                       count: int = CALIBRATION_FRAMES) -> List[np.ndarray]:
    """``count`` evenly spaced frames of a folder / video, normalised as the model does.

    Args:
        model: The model (its ``data_preprocessor.normalize``).
        frames: Frame folder or video; default: the bundled DAVIS clip.
        count: How many frames.

    Returns:
        ``(1, 3, H, W)`` float32 arrays.
    """
    from shls.apis.frame_source import open_frames
    source = open_frames(frames or DEFAULT_CALIBRATION)
    wanted = set(np.linspace(0, len(source) - 1, min(count, len(source))).round().astype(int))
    images = []
    for index, rgb in enumerate(source):
        if index in wanted:
            image = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None]
            images.append(model.data_preprocessor.normalize(image).float().numpy())
    return images


def _images_digest(images: List[np.ndarray]) -> str:
    """sha256 of the calibration frames' pixels (content, not names)."""
    digest = hashlib.sha256()
    for image in images:
        digest.update(f'{image.shape}'.encode())
        digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()[:16]


def cached_engine_file(model: nn.Module, cache_dir: str, int8: bool = False,
                       calibration: Optional[str] = None) -> str:
    """The cached ``.onnx`` of ``model.backbone``, exported (and quantized) if missing.

    Args:
        model: A model with ``backbone`` and ``data_preprocessor``.
        cache_dir: Cache folder (created).
        int8: Quantize (static, calibrated on ``calibration``).
        calibration: Frame folder / video for int8 (default: the bundled clip).

    Returns:
        Path of the engine file.
    """
    backbone = model.backbone
    key = hashlib.sha256(f'{weights_digest(backbone)}|opset{OPSET}|v{RECIPE_VERSION}'.encode())
    images = calibration_images(model, calibration) if int8 else []
    if int8:
        key.update(f'|int8|{_images_digest(images)}'.encode())
    stem = f'{type(backbone).__name__.lower()}-{key.hexdigest()[:16]}'
    path = osp.join(cache_dir, stem + ('-int8' if int8 else '-fp32') + '.onnx')
    if osp.isfile(path):
        return path
    os.makedirs(cache_dir, exist_ok=True)
    fp32 = path if not int8 else cached_engine_file(model, cache_dir, False)
    if not int8:
        print_log(f'onnxruntime: exporting the backbone to {path}', logger='current')
        return export_backbone_onnx(backbone, path)
    print_log(f'onnxruntime: quantizing the backbone to int8 ({CALIBRATION_FRAMES} '
              f'calibration frames) -> {path}', logger='current')
    return quantize_onnx_int8(fp32, path, images)


def engine_options(backend: str, onnx_file: Optional[str], int8: bool,
                   calibration: Optional[str], cache_dir: Optional[str]) -> EngineOptions:
    """Checked command-line engine options (``--onnx``, ``--int8`` and ``--calib`` need
    ``--backend onnxruntime``; ``--calib`` needs ``--int8``)."""
    check_backend(backend)
    given = [flag for flag, value in (('--onnx', onnx_file), ('--int8', int8),
                                      ('--calib', calibration)) if value]
    if backend == 'pytorch' and given:
        raise ConfigError(f'{", ".join(given)} only apply to --backend onnxruntime / auto'
                          + (' (the int8 backbone in PyTorch: --cfg-options '
                             'model.test_cfg.int8=True)' if int8 else ''))
    if calibration and not int8:
        raise ConfigError('--calib calibrates the int8 export: add --int8')
    if onnx_file and (int8 or calibration):
        raise ConfigError('--onnx uses that file as is: drop --int8 / --calib')
    return EngineOptions(onnx_file, cache_dir, int8, calibration)


def choose_backend(model: nn.Module, device: Union[str, torch.device],
                   autocast: PrecisionSetting, engine: EngineOptions,
                   int8: Int8Setting = False) -> str:
    """``'pytorch'`` or ``'onnxruntime'``: whichever runs the backbone faster here.

    On CUDA: PyTorch. On a CPU, the backbone is timed on one frame of
    :data:`CHOICE_PROBE_SIZE` in PyTorch (with the precision ``autocast`` resolves to
    here; with ``int8`` also quantized, and PyTorch's time is that of int8 for ``True``,
    the better of the two for ``'auto'``) and in ONNX Runtime (the engine of
    ``engine``, exported into its cache if needed); ONNX Runtime must win by
    :data:`CHOICE_MARGIN`. The choice is logged and
    stored in the cache folder (keyed by the weights, the settings, the thread count
    and the CPU), so later runs on this machine make the same choice and resume.

    Args:
        model: The model, weights loaded, on ``device``.
        device: Where it runs.
        autocast: The ``test_cfg.autocast`` setting in force.
        engine: The ONNX Runtime options.
        int8: The ``test_cfg.int8`` setting in force (PyTorch engine only).

    Returns:
        The backend name.
    """
    if torch.device(device).type != 'cpu':
        return 'pytorch'
    _check_onnxruntime()
    cache_dir = engine.cache_dir or DEFAULT_CACHE
    record = osp.join(cache_dir,
                      f'backend-{_choice_key(model, autocast, engine, int8)}.json')
    if osp.isfile(record):
        with open(record) as f:
            return json.load(f)['backend']
    backbone = model.backbone
    dtype = resolve_autocast(autocast, 'cpu', backbone)
    x = torch.randn(1, 3, *CHOICE_PROBE_SIZE, generator=torch.Generator().manual_seed(0))
    path = engine.onnx_file or cached_engine_file(model, cache_dir, engine.int8,
                                                  engine.calibration)
    ort = OnnxRuntimeBackbone(path, getattr(backbone, 'finish', None))
    quantized = _int8_candidate(model, int8, dtype)
    # PyTorch in the layout VideoSegmenter runs it in on a CPU (channels-last)
    backbone.eval().to(memory_format=torch.channels_last)
    calls = [backbone_call(backbone, x.contiguous(memory_format=torch.channels_last), dtype),
             lambda: ort(x)]
    if quantized is not None:
        calls.append(int8_call(backbone, quantized, x))
    times = interleaved_best_ms(calls)
    float_ms, ort_ms, int8_ms = times[0], times[1], (times[2:] or [float('inf')])[0]
    torch_ms = int8_ms if int8 is True else min(float_ms, int8_ms)
    choice = 'onnxruntime' if ort_ms * CHOICE_MARGIN < torch_ms else 'pytorch'
    precision = precision_name(dtype)
    if quantized is not None:
        precision += f' {float_ms:.1f} ms, int8'
    print_log(f'backend auto: backbone at {CHOICE_PROBE_SIZE[1]}x{CHOICE_PROBE_SIZE[0]}: '
              f'pytorch ({precision}) {torch_ms if quantized is None else int8_ms:.1f} ms, '
              f'onnxruntime ({osp.basename(path)}) {ort_ms:.1f} ms -> {choice} '
              f'(kept in {record})', logger='current')
    write_json_atomic(record, dict(backend=choice, pytorch_ms=torch_ms, onnxruntime_ms=ort_ms))
    return choice


def _int8_candidate(model: nn.Module, int8: Int8Setting,
                    dtype: Optional[torch.dtype]) -> Optional[nn.Module]:
    """The int8 backbone ``choose_backend`` times for PyTorch (``None``: not asked for,
    or ``'auto'`` where it cannot be built; :data:`~.int8.AUTO_FLOAT32` beside
    bfloat16)."""
    int8 = int8_request(int8, dtype)
    if int8 is False or (int8 == 'auto' and not quantizable(model.backbone)):
        return None
    try:
        return choose_int8(model, True, channels_last=True, dtype=dtype)
    except FileNotFoundError:
        if int8 is True:
            raise
        return None


def _choice_key(model: nn.Module, autocast: PrecisionSetting, engine: EngineOptions,
                int8: Int8Setting = False) -> str:
    import platform

    import onnxruntime
    cpu = platform.processor()
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            cpu = next((line for line in f if line.startswith('flags')), cpu)
    caps = [os.environ.get(k, '') for k in ISA_CAPS]
    text = '|'.join([weights_digest(model.backbone), repr(autocast), repr(engine.int8),
                     repr(int8),
                     str(engine.onnx_file), str(torch.get_num_threads()), cpu, *caps,
                     torch.__version__, onnxruntime.__version__])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_json_atomic(path: str, data: dict) -> None:
    """Write ``data`` as JSON through a temporary file in the same folder."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(data, f)
    os.replace(tmp, path)


def use_onnxruntime(model: nn.Module, onnx_file: Optional[str] = None,
                    cache_dir: Optional[str] = None, int8: bool = False,
                    calibration: Optional[str] = None) -> str:
    """Replace ``model.backbone`` by an ONNX Runtime engine of the same weights.

    Args:
        model: The model, weights loaded.
        onnx_file: An exported engine to use as is; ``None`` = the cached export.
        cache_dir: Cache folder for the export (default ``work_dirs/onnx_cache``).
        int8: Use the int8 export (ignored with ``onnx_file``).
        calibration: Frames calibrating the int8 export (default: the bundled clip).

    Returns:
        The engine file used.
    """
    _check_onnxruntime()
    backbone = model.backbone
    if isinstance(backbone, OnnxRuntimeBackbone):
        raise ValueError('the model already runs its backbone in onnxruntime')
    if onnx_file is None:
        onnx_file = cached_engine_file(model, cache_dir or DEFAULT_CACHE, int8, calibration)
    elif not osp.isfile(onnx_file):
        raise InputNotFoundError(f'ONNX file not found: {onnx_file}')
    model.backbone = OnnxRuntimeBackbone(onnx_file, getattr(backbone, 'finish', None))
    return onnx_file


def _check_onnxruntime() -> None:
    try:
        import onnxruntime  # noqa: F401
    except ImportError as err:
        raise ImportError('--backend onnxruntime needs onnxruntime: pip install '
                          'onnxruntime onnx (or pip install -e .)') from err
