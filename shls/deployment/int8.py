"""An int8 backbone in PyTorch (static quantization), chosen at run time.

On a CPU without fast bfloat16 the float32 backbone runs near the FMA peak, so the way
to make it cheaper without retraining is narrower arithmetic: int8 convolutions
(oneDNN / FBGEMM, ``x86`` quantized engine) do about twice the multiply-adds per
instruction on AVX2 and four times with AVX-512 VNNI. :func:`quantize_backbone` turns a
:class:`~shls.models.backbones.SlimResNet` into an int8 graph (FX graph mode, batch
norms and ReLUs fused into the convolutions, per-channel weights, activations calibrated
on a few real frames, by default of the bundled DAVIS clip); the L1 upsampling of
``finish`` stays in float32. ``test_cfg.int8`` (:func:`choose_int8`) applies it: ``True``
always on a CPU, ``'auto'`` where a start-up probe measures it faster than the backbone
in the precision and layout chosen for it, ``'auto_float32'`` the same but only in place
of a float32 backbone (never of bfloat16), ``False`` never. :func:`attach_int8` puts the
int8 graph into the backbone the way folded batch norms are (:mod:`.fold_bn`): the
module and its state dict stay as they were, and the int8 graph runs only in eval mode
without gradients, so training the same model is unaffected.

Measured on the quarter-width (fast) model (README, "Since commit bfe4d75"): J&F 64.16 /
68.67 on ``../shared/data/davis`` / ``davis_train`` against 65.09 / 69.08 in float32
(other calibration frames: up to 67.50 / 69.27); its backbone at 854x480 on 2 cores in
~60 against ~88 ms AVX2-restricted, and ~26 ms with AVX-512 VNNI.
"""
import copy
import hashlib
import logging
import warnings
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from torch import Tensor, nn

from shls.models.backbones import SlimResNet
from shls.utils.errors import ConfigError
from .fold_bn import FoldedBatchNorm2d, FoldedConv2d
from .precision import (AUTO, backbone_call, interleaved_best_ms, one_torch_thread,
                        precision_name)

#: Accepted values of ``test_cfg.int8``: ``False``, ``True``, ``'auto'`` or
#: :data:`AUTO_FLOAT32`.
Int8Setting = Union[bool, str]
#: ``test_cfg.int8``: as ``'auto'``, but only where the backbone would otherwise run in
#: float32; a backbone that ``autocast`` runs in bfloat16 (or float16) keeps it.
AUTO_FLOAT32 = 'auto_float32'
#: The quantized engine (oneDNN or FBGEMM kernels, whichever suits the layer).
QUANTIZED_ENGINE = 'x86'
#: int8 must beat float32 by this factor to be chosen by ``'auto'``.
MIN_SPEEDUP = 1.1
#: Input of the probe of ``'auto'`` (height, width): a quarter of a 480p frame.
PROBE_SIZE = (240, 432)
PROBE_REPEATS = 3
#: Calibration frames are resized by this factor (see :func:`quantize_backbone`).
CALIBRATION_SCALE = 0.5


def check_int8_setting(value: Int8Setting) -> Int8Setting:
    """Return ``value`` if it is a valid ``test_cfg.int8``, else raise ConfigError."""
    if isinstance(value, bool) or value in (AUTO, AUTO_FLOAT32):
        return value
    raise ConfigError(f"test_cfg.int8 must be False, True, 'auto' or '{AUTO_FLOAT32}', "
                      f"got {value!r}")


def int8_request(setting: Int8Setting, dtype: Optional[torch.dtype]) -> Int8Setting:
    """``setting`` for a float backbone that would run under autocast ``dtype``
    (``None`` = float32): :data:`AUTO_FLOAT32` becomes ``'auto'`` in float32 and
    ``False`` otherwise; the other settings stay."""
    if setting == AUTO_FLOAT32:
        return AUTO if dtype is None else False
    return setting


def quantizable(backbone: Optional[nn.Module]) -> bool:
    """Whether ``backbone`` can be quantized here: a
    :class:`~shls.models.backbones.SlimResNet` (its ``forward_stages`` is the graph,
    ``finish`` stays in float32) and a PyTorch with the ``x86`` quantized engine."""
    return (isinstance(backbone, SlimResNet)
            and QUANTIZED_ENGINE in torch.backends.quantized.supported_engines)


class _Stages(nn.Module):
    """``forward = backbone.forward_stages``: the convolutional graph FX traces."""

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        return self.backbone.forward_stages(x)


def plain_copy(backbone: nn.Module) -> nn.Module:
    """A float32 eval-mode copy of ``backbone`` with its batch norms unfolded and its
    convolutions plain ``nn.Conv2d`` again (the patterns FX fuses)."""
    clone = copy.deepcopy(backbone).float().eval()
    detach_int8(clone)
    for module in clone.modules():
        if isinstance(module, FoldedConv2d):
            module.__class__ = nn.Conv2d
        elif isinstance(module, FoldedBatchNorm2d):
            module.__class__ = nn.BatchNorm2d
        for key in ('_folded_norm', '_folded_conv', '_folded_cache'):
            module.__dict__.pop(key, None)
    return clone.to(memory_format=torch.contiguous_format)


class QuantizedBackbone(nn.Module):
    """A backbone's convolutional part (``forward_stages``) in int8.

    ``forward(x)`` returns the float32 maps of ``forward_stages``, computed on the CPU
    and returned on ``x``'s device. Built by :func:`quantize_backbone`, run through
    :func:`attach_int8`. The int8 graph is kept out of the state dict (its packed
    weights are not plain tensors); the buffer ``int8_sha256`` (a hash of the float
    weights and the calibration frames) identifies it.

    Args:
        graph: The converted (int8) FX graph of ``forward_stages``.
        digest: 32-byte identity of the weights and calibration.
    """

    def __init__(self, graph: nn.Module, digest: bytes) -> None:
        super().__init__()
        self.__dict__['graph'] = graph  # not a submodule: see above
        self.register_buffer('int8_sha256', torch.tensor(list(digest), dtype=torch.uint8))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        maps = self.graph(x.float().cpu().contiguous(memory_format=torch.channels_last))
        return tuple(m.to(x.device) for m in maps)


class Int8SlimResNet(SlimResNet):
    """A :class:`~shls.models.backbones.SlimResNet` with an int8 graph attached
    (:func:`attach_int8`): in eval mode without gradients ``forward`` runs it, otherwise
    the float layers as before. Same parameters and state-dict keys."""

    def int8_active(self) -> bool:
        """Whether ``forward`` runs the int8 graph now."""
        return ('_int8' in self.__dict__ and not self.training
                and not torch.is_grad_enabled())

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        if self.int8_active():
            return self.finish(self.__dict__['_int8'](x), x.shape[-2:])
        return super().forward(x)


def attach_int8(backbone: SlimResNet, quantized: 'QuantizedBackbone') -> None:
    """Make ``backbone`` (in place) run ``quantized`` in eval mode without gradients."""
    if type(backbone) is SlimResNet:
        backbone.__class__ = Int8SlimResNet
    elif not isinstance(backbone, Int8SlimResNet):
        raise ConfigError(f'test_cfg.int8: cannot attach an int8 graph to '
                          f'{type(backbone).__name__}')
    backbone.__dict__['_int8'] = quantized


def detach_int8(backbone: nn.Module) -> None:
    """Undo :func:`attach_int8` (a no-op for a backbone without an int8 graph)."""
    if isinstance(backbone, Int8SlimResNet):
        backbone.__dict__.pop('_int8', None)
        backbone.__class__ = SlimResNet


def int8_attached(backbone: Optional[nn.Module]) -> bool:
    """Whether ``backbone`` has an int8 graph attached (:func:`attach_int8`)."""
    return isinstance(backbone, Int8SlimResNet) and '_int8' in backbone.__dict__


def quantize_backbone(backbone: nn.Module, images: Sequence[np.ndarray],
                      scale: Optional[float] = None) -> QuantizedBackbone:
    """Static int8 quantization of ``backbone`` calibrated on ``images``.

    Args:
        backbone: A :class:`~shls.models.backbones.SlimResNet` on the CPU (it is
            copied, not changed; folded batch norms are unfolded in the copy).
        images: ``(1, 3, H, W)`` float32 frames normalised as the model does
            (:func:`shls.deployment.calibration_images`).
        scale: The frames are resized by this factor (area) for the calibration
            (default :data:`CALIBRATION_SCALE`). The
            histogram observers cost ~0.4 s per 480p frame; at half size 8 frames take
            ~0.9 s and the int8 maps are as close to float32 (relative error 0.039 /
            0.137 for L1 / L4 on 6 frames of ``davis_train``, against 0.042 / 0.147 at
            full size).

    Returns:
        :class:`QuantizedBackbone` on the CPU.

    Raises:
        ConfigError: Not a SlimResNet, no calibration image, or a PyTorch without the
            ``x86`` quantized engine.
    """
    if not quantizable(backbone):
        raise ConfigError(f'test_cfg.int8: cannot quantize {type(backbone).__name__} here '
                          '(a SlimResNet and the x86 quantized engine are needed)')
    if not images:
        raise ConfigError('test_cfg.int8: no calibration frame')
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = QUANTIZED_ENGINE
    stages = _Stages(plain_copy(backbone))
    batches = [torch.from_numpy(np.ascontiguousarray(image)).float() for image in images]
    scale = CALIBRATION_SCALE if scale is None else scale
    if scale != 1.0:
        batches = [F.interpolate(b, scale_factor=scale, mode='area') for b in batches]
    with warnings.catch_warnings():  # torch.ao's notices about its successor, torchao
        warnings.simplefilter('ignore', (UserWarning, DeprecationWarning, FutureWarning))
        prepared = prepare_fx(stages, get_default_qconfig_mapping(QUANTIZED_ENGINE),
                              example_inputs=(batches[0],))
        # one thread: the float convolutions' last bits, and so the observed ranges,
        # depend on torch's thread count; calibrated alone, the int8 graph (whose integer
        # kernels give the same maps at any thread count) is the same on any machine
        # with the same kernels (README, "Since commit 7247482")
        with torch.inference_mode(), one_torch_thread():
            for batch in batches:
                prepared(batch)
        graph = convert_fx(prepared)
    from .engine import _images_digest, weights_digest
    digest = hashlib.sha256(f'{weights_digest(backbone)}|{_images_digest(list(images))}'
                            .encode()).digest()
    return QuantizedBackbone(graph.eval(), digest)


@dataclass(frozen=True)
class Int8Probe:
    """Best times of one backbone call without and with int8 (``'auto'``).

    Attributes:
        float_ms: The float backbone as it would run otherwise.
        int8_ms: The :class:`QuantizedBackbone`.
        float_name: Its precision (``'float32'``, ``'bfloat16'``).
    """

    float_ms: float
    int8_ms: float
    float_name: str = 'float32'

    @property
    def int8_faster(self) -> bool:
        return self.int8_ms * MIN_SPEEDUP < self.float_ms

    def describe(self) -> str:
        return (f'backbone probe {PROBE_SIZE[1]}x{PROBE_SIZE[0]}: {self.float_name} '
                f'{self.float_ms:.1f} ms, int8 {self.int8_ms:.1f} ms')


#: (weights digest, calibration source) -> the int8 backbone.
_QUANTIZED: Dict[Tuple, QuantizedBackbone] = {}
#: (the same, threads, the float backbone's autocast dtype and layout) -> its probe.
_PROBES: Dict[Tuple, Int8Probe] = {}


def choose_int8(model: nn.Module, setting: Int8Setting, channels_last: bool,
                dtype: Optional[torch.dtype] = None,
                calibration: Optional[str] = None) -> Optional[QuantizedBackbone]:
    """The int8 backbone ``test_cfg.int8`` asks for on a CPU, or ``None`` (float).

    ``True``: quantized. ``'auto'``: quantized, then timed against ``model.backbone``
    as it would run otherwise (``channels_last`` or not, under autocast with ``dtype``)
    on one frame of :data:`PROBE_SIZE`, and kept only if faster by
    :data:`MIN_SPEEDUP`; the timings are logged once. :data:`AUTO_FLOAT32`: as
    ``'auto'`` where ``dtype`` is ``None``, else float (:func:`int8_request`). The
    quantized backbone is cached per process by the weights and calibration source, the
    probe also by the thread count, the dtype and the layout, so a second segmenter
    reuses them.

    Args:
        model: The model (``backbone``: float32 weights, CPU, eval mode, layout
            chosen; ``data_preprocessor`` normalises the calibration frames).
        setting: ``test_cfg.int8``.
        channels_last: Whether frames enter the float backbone channels-last.
        dtype: The autocast dtype the float backbone would run under (``None`` =
            float32).
        calibration: Frame folder / video calibrating the activations (default: the
            bundled clip, 8 frames).

    Returns:
        The int8 backbone to use, or ``None``.

    Raises:
        ConfigError: ``True`` with a backbone that cannot be quantized.
        InputNotFoundError: ``True`` and the calibration frames are missing.
    """
    from .engine import calibration_images, weights_digest
    backbone = model.backbone
    setting = int8_request(setting, dtype)
    if setting is False or (setting == AUTO and not quantizable(backbone)):
        return None
    # the graph bakes in the input scale; the weights digest covers the rest
    key = (weights_digest(backbone), backbone.input_scale, calibration)
    if key not in _QUANTIZED:
        try:
            images = calibration_images(model, calibration)
        except FileNotFoundError as err:
            if setting is True:
                raise
            print_log(f'int8 auto: no calibration frames ({err}): not used', logger='current')
            return None
        try:
            _QUANTIZED[key] = quantize_backbone(backbone, images)
        except Exception as err:  # torch.ao raises many types; 'auto' is a speed option
            if setting is True:
                raise
            print_log(f'int8 auto: quantization failed ({type(err).__name__}: '
                      f'{str(err).splitlines()[0] if str(err) else ""}): not used',
                      logger='current', level=logging.WARNING)
            return None
    quantized = _QUANTIZED[key]
    if setting is True:
        return quantized
    probe_key = (*key, torch.get_num_threads(), dtype, channels_last)
    if probe_key not in _PROBES:
        probe = _PROBES[probe_key] = _probe(backbone, quantized, channels_last, dtype)
        choice = 'int8' if probe.int8_faster else probe.float_name
        print_log(f'int8 auto: {probe.describe()} ({torch.get_num_threads()} threads): '
                  f'runs the backbone in {choice} on this CPU', logger='current')
    return quantized if _PROBES[probe_key].int8_faster else None


def _probe(backbone: nn.Module, quantized: QuantizedBackbone, channels_last: bool,
           dtype: Optional[torch.dtype]) -> Int8Probe:
    x = torch.randn(1, 3, *PROBE_SIZE, generator=torch.Generator().manual_seed(0))
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    float_ms, int8_ms = interleaved_best_ms(
        [backbone_call(backbone, x, dtype), int8_call(backbone, quantized, x)],
        repeats=PROBE_REPEATS)
    return Int8Probe(float_ms, int8_ms, precision_name(dtype))


def int8_call(backbone: nn.Module, quantized: QuantizedBackbone, x: Tensor):
    """A call computing what ``backbone`` with ``quantized`` attached computes on ``x``
    (no grad), for timing it beside :func:`~.precision.backbone_call`."""
    def call():
        with torch.inference_mode():
            return backbone.finish(quantized(x), x.shape[-2:])
    return call
