"""High-level inference API: build a segmenter, stream a video, write its masks."""
import copy
import os
import os.path as osp
import uuid
import warnings
from typing import Iterator, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.utils import import_modules_from_strings
from torch import nn

from shls.deployment import EngineOptions, check_backend, choose_backend, use_onnxruntime
from shls.outputs.fingerprint import data_fingerprint, run_fingerprint
from shls.outputs.writers import OUTPUT_SUFFIXES, writer_class
from shls.registry import MODELS
from shls.structures.segmenter import (ModelBackedSegmenter, StreamingSegmenter,
                                       precision_tag)
from shls.utils.config import load_config, merge_options, parse_options
from shls.utils.errors import ConfigError
from shls.utils.setup_env import register_all_modules
from shls.visualization.palette import DAVIS_PALETTE
from .checkpoint import load_weights, read_checkpoint  # noqa: F401 (re-exported)
from .frame_source import FrameInput, FrameSource, open_frames
from .prompts import prompts_from_folder, stream_prompted
from .streaming import (MaskInput, load_first_mask, segment_video,  # noqa: F401 (re-exported)
                        stream_first_mask)
from .to_disk import DiskOutput, Progress, stream_to_disk
from .video_segmenter import VideoSegmenter

OVERLAY_NAME = 'overlay.mp4'


def init_segmenter(config: Union[str, Config], checkpoint: Optional[str] = None,
                   device: str = 'cpu', cfg_options: Union[dict, Sequence[str], None] = None,
                   backend: str = 'pytorch', engine: Optional[EngineOptions] = None,
                   **test_cfg) -> VideoSegmenter:
    """Build the model of a config, load its weights, wrap it in a :class:`VideoSegmenter`.

    Args:
        config: Config file or :class:`~mmengine.config.Config` (its ``model`` is built
            from ``shls.registry.MODELS``; ``custom_imports`` are honoured).
        checkpoint: Weights to load (strictly). ``None`` keeps a random initialisation
            and warns.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ..., or ``'auto'`` (CUDA when
            available).
        cfg_options: Overrides, as a dict or ``KEY=VALUE`` strings; keys are validated.
        backend: Engine of the backbone: ``'pytorch'``, ``'onnxruntime'`` (CPU only;
            see :mod:`shls.deployment`), or ``'auto'`` (the faster of the two on this
            machine, timed at start-up: :func:`shls.deployment.choose_backend`).
        engine: ONNX Runtime options (file, cache folder, int8, calibration frames).
        **test_cfg: Overrides of the model's ``test_cfg``.

    Returns:
        A segmenter in eval mode on ``device``.

    Raises:
        FileNotFoundError: Missing config or checkpoint.
        ValueError: Bad device, unreadable checkpoint, or one of another architecture.
    """
    model = build_model(config, checkpoint, cfg_options)
    device = _check_device(device)
    engine = engine or EngineOptions()
    if check_backend(backend) == 'auto':
        model.to(device)
        merged = VideoSegmenter.merge_test_cfg(model.test_cfg or {}, test_cfg)
        backend = choose_backend(model, device, merged['autocast'], engine, merged['int8'])
    if backend == 'onnxruntime':
        if device.type != 'cpu':
            raise ConfigError(f'--backend onnxruntime runs on the CPU; got device {device}')
        use_onnxruntime(model, **engine._asdict())
    return VideoSegmenter(model, device=device, **test_cfg)


def build_model(config: Union[str, Config], checkpoint: Optional[str] = None,
                cfg_options: Union[dict, Sequence[str], None] = None) -> nn.Module:
    """The model of a config with its weights (see :func:`init_segmenter`), in eval mode.

    Raises:
        FileNotFoundError: Missing config or checkpoint.
        ValueError: A config without a model, or weights that do not fit it.
    """
    cfg = _load_cfg(config, cfg_options)
    if 'model' not in cfg:
        raise ConfigError(f'config {getattr(cfg, "filename", "")} has no model')
    register_all_modules(init_default_scope=False)
    model = MODELS.build(copy.deepcopy(cfg.model))
    if checkpoint is None:
        warnings.warn('init_segmenter: no checkpoint given, the model has random weights')
    else:
        load_weights(model, checkpoint)
    return model.eval()


def _load_cfg(config: Union[str, Config], cfg_options) -> Config:
    """Config from a path or a Config, with validated overrides and custom imports."""
    if isinstance(config, (str, os.PathLike)):
        cfg = load_config(os.fspath(config))
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        raise TypeError(f'config must be a path or a Config, got {type(config).__name__}')
    if cfg_options:
        options = cfg_options if isinstance(cfg_options, dict) else parse_options(cfg_options)
        merge_options(cfg, options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    return cfg


def _check_device(device: Union[str, torch.device]) -> torch.device:
    """A torch device; ``'auto'`` = CUDA when available, else the CPU."""
    if device == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    try:
        device = torch.device(device)
    except RuntimeError as err:
        raise ConfigError(f'invalid device {device!r}: {err}') from err
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ConfigError(f'device {device} requested but CUDA is not available')
    try:  # any other device torch knows by name but this machine lacks (mps, xpu, ...)
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError, NotImplementedError) as err:
        detail = ' '.join(str(err).split()).split('. ')[0][:100]
        raise ConfigError(f'device {device} is not available here ({detail})') from err
    return device


class VideoResult(NamedTuple):
    """Summary of :func:`segment_video_to_disk`.

    ``skipped`` is True when ``out_dir`` already held this video, made the same way
    (``resume=True``); ``seconds`` is then 0.
    """

    out_dir: str
    num_frames: int
    seconds: float
    overlay: Optional[str]
    skipped: bool = False

    @property
    def fps(self) -> float:
        return self.num_frames / max(self.seconds, 1e-9)


def segment_video_to_disk(segmenter: StreamingSegmenter,
                          frames: Union[FrameInput, FrameSource], first_mask: MaskInput,
                          out_dir: str, overlay: bool = True,
                          fps: Optional[float] = None, progress: bool = True,
                          palette: np.ndarray = DAVIS_PALETTE, fmt: str = 'palette',
                          resume: bool = False) -> VideoResult:
    """Segment a video into ``out_dir`` (masks in ``fmt`` + ``overlay.mp4``), all or nothing.

    ``out_dir`` is built under a temporary name and moved into place at the end (an
    earlier output folder there is replaced; any other folder is refused; temporary
    folders a killed run left are removed), so a failure leaves no half-written output.
    Its ``.complete`` marker records a fingerprint of the weights and settings.

    Args:
        segmenter: The segmenter.
        frames: See :func:`segment_video`.
        first_mask: The first frame's annotation (see :func:`segment_video`), or a folder
            of annotation PNGs named like the frames, each object taken from the PNG
            where it first appears (see :func:`~shls.apis.prompts.prompts_from_folder`).
        out_dir: Output folder.
        overlay: Also write ``overlay.mp4`` (frames with masks blended in).
        fps: Overlay frame rate for folders / arrays (a video file keeps its own).
        progress: Show a tqdm progress bar.
        palette: Colours of the PNGs and the overlay.
        fmt: ``'palette'``, ``'per-object'`` or ``'coco-rle'``
            (:mod:`shls.outputs.writers`).
        resume: Skip the work when ``out_dir`` already holds this video segmented with
            the same weights and settings.

    Returns:
        :class:`VideoResult` (the frame rate includes reading and writing).
    """
    source = open_frames(frames, fps)
    writer_class(fmt)  # checks the name before any work
    prompts = _prompts(first_mask, source)
    run_id = _run_id(segmenter, source, first_mask, dict(overlay=overlay, fmt=fmt))
    output = DiskOutput(out_dir, fmt, palette, run_id, OUTPUT_SUFFIXES + ('.mp4', ),
                        OVERLAY_NAME if overlay else None, source.fps)
    written = stream_to_disk(lambda: _stream_pairs(segmenter, source, prompts),
                             source.frame_name, output, _length(source),
                             Progress('segmenting', progress), resume)
    folder = osp.abspath(out_dir)
    return VideoResult(folder, written.num_frames, written.seconds,
                       osp.join(folder, OVERLAY_NAME) if overlay else None, written.skipped)


def _prompts(first_mask: MaskInput, source: FrameSource) -> list:
    """Prompts of a first mask (checked now) or of a folder of annotations."""
    if isinstance(first_mask, (str, os.PathLike)) and osp.isdir(first_mask):
        return prompts_from_folder(os.fspath(first_mask), source)
    mask, name = load_first_mask(first_mask)
    return [dict(frame=0, mask=mask, objects=None, name=name)]


def _run_id(segmenter: StreamingSegmenter, source: FrameSource, first_mask: MaskInput,
            settings: dict) -> str:
    """Fingerprint of the weights, inference settings, frames and annotations (contents,
    not only paths: see :func:`~shls.outputs.fingerprint.data_fingerprint`)."""
    if not isinstance(segmenter, ModelBackedSegmenter):  # e.g. a training-free baseline
        return ''
    paths = getattr(source, 'paths', None)
    if paths is None and osp.isfile(source.name):
        paths = [source.name]  # a video file
    if paths is None:  # frames given as arrays: their content is unknown, never resume
        return uuid.uuid4().hex
    mask = (os.fspath(first_mask) if isinstance(first_mask, (str, os.PathLike))
            else np.asarray(first_mask))
    root = source.name if osp.exists(source.name) else None
    settings = dict(settings, input=source.name,
                    data=data_fingerprint(paths, mask, root),
                    test_cfg=segmenter.cfg,
                    precision=precision_tag(segmenter))
    return run_fingerprint(segmenter.model, settings)


def _stream_pairs(segmenter: StreamingSegmenter, source: FrameSource,
                  prompts: list) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    """``(frame, prediction)`` pairs, from a first mask or from several prompts."""
    if len(prompts) == 1 and prompts[0]['frame'] == 0 and prompts[0]['objects'] is None:
        return stream_first_mask(segmenter, source, prompts[0]['mask'], prompts[0]['name'])
    frames = _FrameTap(source)
    preds = stream_prompted(segmenter, frames, {p['frame']: p for p in prompts})
    return ((frames.last, pred) for pred in preds)


class _FrameTap(FrameSource):
    """A frame source that remembers the frame it yielded last (for the overlay)."""

    def __init__(self, source: FrameSource) -> None:
        self.source, self.name, self.fps = source, source.name, source.fps
        self.last: Optional[np.ndarray] = None

    def __iter__(self) -> Iterator[np.ndarray]:
        for frame in self.source:
            self.last = frame
            yield frame

    def __len__(self) -> int:
        return len(self.source)

    def frame_name(self, index: int) -> str:
        return self.source.frame_name(index)

    def describe(self, index: int) -> str:
        return self.source.describe(index)


def _length(source: FrameSource) -> Optional[int]:
    """Number of frames, or None for an iterator of unknown length."""
    try:
        return len(source)
    except TypeError:
        return None
