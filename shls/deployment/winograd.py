"""Winograd 3x3 convolutions on the CPU in float32 (NNPACK), chosen at run time.

oneDNN runs the backbone's convolutions near the FMA peak of a CPU, so in float32 the
only way to make them cheaper without retraining is fewer multiplications: NNPACK's
Winograd transform computes a stride-1 3x3 convolution with ~2x fewer of them. A single
128-channel convolution of the shipped model at 214x120 (its stride-4 stages hold most of
its multiply-adds) runs ~2x faster than in oneDNN on 2 cores, AVX2 or AVX-512 alike, with
a relative error near 1e-6; inside the network the gain is smaller (-6 to -14 % of the
backbone time), and on narrower layers oneDNN can be faster, so each layer is timed both
ways once per input shape and keeps the faster (README, "Speed of the engines").

:func:`use_winograd` turns the eligible ``nn.Conv2d`` of a module into
:class:`WinogradConv2d` in place (same parameters and state-dict keys);
:func:`choose_winograd` does so only where the whole backbone then beats oneDNN in its
channels-last layout (NNPACK needs NCHW, where oneDNN is slow), timed at start-up. Each
call falls back to the ordinary convolution whenever NNPACK cannot take it: a GPU,
another dtype, autocast, gradients, or a PyTorch build without NNPACK.
"""
import functools
import time
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from .fold_bn import FoldedConv2d
from .precision import backbone_call, interleaved_best_ms


@functools.lru_cache(maxsize=None)
def nnpack_available() -> bool:
    """Whether this PyTorch build has a working NNPACK (the call also initialises it)."""
    probe = getattr(torch, '_nnpack_available', None)
    return bool(probe is not None and probe())


def winograd_eligible(conv: nn.Module) -> bool:
    """Whether ``conv`` is a plain stride-1 3x3 convolution NNPACK can run."""
    return (type(conv) in (nn.Conv2d, FoldedConv2d, WinogradConv2d)
            and conv.kernel_size == (3, 3)
            and conv.stride == (1, 1) and conv.dilation == (1, 1) and conv.groups == 1
            and conv.padding_mode == 'zeros' and isinstance(conv.padding, tuple))


#: (channels in, out, input shape, threads) -> NNPACK measured faster than oneDNN.
_FASTER: Dict[Tuple, bool] = {}
#: NNPACK must beat oneDNN by this factor to be used for a convolution.
MIN_SPEEDUP = 1.05


class WinogradConv2d(FoldedConv2d):
    """An ``nn.Conv2d`` that runs through NNPACK's Winograd convolution when it can and
    where it is faster: the first call per input shape times both (twice each,
    interleaved) and the choice is kept for the process. A folded batch norm
    (:mod:`shls.deployment.fold_bn`) is applied on both paths."""

    def forward(self, x: Tensor) -> Tensor:
        if not self._nnpack_can_run(x):
            return super().forward(x)
        key = (self.in_channels, self.out_channels, tuple(x.shape), torch.get_num_threads())
        if key not in _FASTER:
            onednn, nnpack = interleaved_best_ms(
                [lambda: super(WinogradConv2d, self).forward(x), lambda: self._nnpack(x)],
                repeats=2)
            _FASTER[key] = nnpack * MIN_SPEEDUP < onednn
        return self._nnpack(x) if _FASTER[key] else super().forward(x)

    def _nnpack(self, x: Tensor) -> Tensor:
        weight, bias = self.conv_params()
        if bias is None:
            bias = x.new_zeros(self.out_channels)
        return torch._nnpack_spatial_convolution(x.contiguous(), weight.contiguous(), bias,
                                                 list(self.padding), [1, 1])

    def _nnpack_can_run(self, x: Tensor) -> bool:
        return (x.device.type == 'cpu' and x.dtype == torch.float32 and x.dim() == 4
                and self.weight.dtype == torch.float32
                and not torch.is_autocast_cpu_enabled()
                and not (torch.is_grad_enabled() and (x.requires_grad
                                                      or self.weight.requires_grad))
                and nnpack_available())


def use_winograd(module: nn.Module) -> int:
    """Turn every eligible convolution of ``module`` into :class:`WinogradConv2d`.

    Args:
        module: Any module (e.g. a backbone); changed in place.

    Returns:
        How many convolutions were switched (0 when NNPACK is missing: nothing changes).
    """
    if not nnpack_available():
        return 0
    count = 0
    for sub in module.modules():
        if type(sub) in (nn.Conv2d, FoldedConv2d) and winograd_eligible(sub):
            sub.__class__ = WinogradConv2d
            count += 1
    return count


#: Input of the layout probe (height, width): a quarter of a 480p frame.
LAYOUT_PROBE_SIZE = (240, 432)
LAYOUT_PROBE_REPEATS = 3


@dataclass(frozen=True)
class LayoutProbe:
    """Best times of one backbone call in the two float32 CPU layouts.

    Attributes:
        winograd_ms: NCHW, NNPACK's Winograd convolutions where each layer measures them
            faster (:class:`WinogradConv2d`).
        channels_last_ms: Channels-last, oneDNN convolutions only.
    """

    winograd_ms: float
    channels_last_ms: float

    @property
    def winograd_faster(self) -> bool:
        return self.winograd_ms * MIN_SPEEDUP < self.channels_last_ms

    def describe(self) -> str:
        return (f'backbone probe {LAYOUT_PROBE_SIZE[1]}x{LAYOUT_PROBE_SIZE[0]}: Winograd '
                f'(NCHW) {self.winograd_ms:.1f} ms, oneDNN channels-last '
                f'{self.channels_last_ms:.1f} ms')


_LAYOUT_PROBES: Dict[Tuple, LayoutProbe] = {}


def _set_layout(backbone: nn.Module, convs: Dict[nn.Module, type], winograd: bool) -> None:
    for conv, cls in convs.items():
        conv.__class__ = WinogradConv2d if winograd else cls
    fmt = torch.contiguous_format if winograd else torch.channels_last
    backbone.to(memory_format=fmt)


def _probe_layouts(backbone: nn.Module, convs: Dict[nn.Module, type]) -> LayoutProbe:
    """Time the backbone both ways, interleaved (each timed call after a warm-up call
    in the same layout, so that weight re-layouts and per-shape choices are not timed)."""
    x = torch.randn(1, 3, *LAYOUT_PROBE_SIZE, generator=torch.Generator().manual_seed(0))
    calls: Dict[bool, Callable] = {
        flag: backbone_call(backbone, x.contiguous(
            memory_format=torch.contiguous_format if flag else torch.channels_last), None)
        for flag in (True, False)}
    best = {True: float('inf'), False: float('inf')}
    for _ in range(LAYOUT_PROBE_REPEATS):
        for flag, call in calls.items():
            _set_layout(backbone, convs, flag)
            call()
            start = time.perf_counter()
            call()
            best[flag] = min(best[flag], 1000.0 * (time.perf_counter() - start))
    return LayoutProbe(best[True], best[False])


def choose_winograd(backbone: nn.Module) -> bool:
    """Use Winograd convolutions in ``backbone`` only if the whole backbone then runs
    faster (NCHW, layer by layer the faster of NNPACK and oneDNN) than in oneDNN's
    channels-last layout without them, timed once per process and backbone shape.

    NNPACK takes NCHW tensors, in which oneDNN's own convolutions are slow; on narrow
    layers (e.g. the quarter-width model on an AVX2 CPU) channels-last oneDNN beats
    NCHW Winograd by ~20 %, on wide ones (the shipped half-width model) Winograd wins.
    The first call per backbone shape logs both timings.

    Args:
        backbone: A float32 CPU backbone in eval mode; its eligible convolutions become
            :class:`WinogradConv2d` (NCHW weights) when this returns True, and stay or
            return to their own class (channels-last weights) otherwise.

    Returns:
        Whether Winograd convolutions are used (False without NNPACK or eligible layers).
    """
    convs = {m: type(m) for m in backbone.modules()
             if type(m) in (nn.Conv2d, FoldedConv2d) and winograd_eligible(m)}
    if not convs or not nnpack_available():
        return False
    key = (type(backbone).__name__, tuple(tuple(p.shape) for p in backbone.parameters()),
           torch.get_num_threads())
    if key not in _LAYOUT_PROBES:
        probe = _LAYOUT_PROBES[key] = _probe_layouts(backbone, convs)
        layout = 'Winograd (NCHW)' if probe.winograd_faster else 'oneDNN channels-last'
        print_log(f'float32 layout: {probe.describe()} ({torch.get_num_threads()} '
                  f'threads): runs {layout} on this CPU', logger='current')
    winograd = _LAYOUT_PROBES[key].winograd_faster
    _set_layout(backbone, convs, winograd)
    return winograd
