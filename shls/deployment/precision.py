"""Inference precision chosen at run time: the one mixed-precision switch of shls.

``model.test_cfg.autocast`` takes three values:

* ``False``: float32 everywhere.
* ``'auto'`` (the shipped configs): float16 autocast on CUDA; on a CPU, bfloat16 only
  where a short probe measures it faster than float32 on *this* machine (bfloat16 is
  fast only with native kernels, e.g. AVX512-BF16 / AMX; on an AVX2-only CPU oneDNN
  emulates it, several times slower than float32); float32 otherwise.
* ``True``: autocast forced (bfloat16 on a CPU, float16 on CUDA), with a warning when
  the probe says it is slower than float32 here.

The probe runs the model's own backbone a few times on a small frame in both
precisions; its result is cached per process (keyed by the backbone's parameter shapes
and the thread count) and logged once.
"""
import contextlib
import time
import warnings
from dataclasses import dataclass
from typing import (Callable, ContextManager, Dict, Iterator, List, Optional, Sequence, Tuple,
                    Union)

import torch
from mmengine.logging import print_log
from torch import nn

from shls.utils.errors import ConfigError

AUTO = 'auto'
#: Accepted values of ``test_cfg.autocast``.
PrecisionSetting = Union[bool, str]
#: bfloat16 must beat float32 by this factor to be chosen by ``'auto'``.
MIN_SPEEDUP = 1.1
PROBE_SIZE = (128, 224)
PROBE_REPEATS = 3


@dataclass(frozen=True)
class ProbeResult:
    """Timings of the bfloat16 probe on the CPU.

    Attributes:
        float32_ms: Best time of one backbone call in float32.
        bfloat16_ms: Best time of one call under bfloat16 autocast (``inf`` when the
            build has no bfloat16 CPU kernels at all).
    """

    float32_ms: float
    bfloat16_ms: float

    @property
    def bfloat16_faster(self) -> bool:
        return self.bfloat16_ms * MIN_SPEEDUP < self.float32_ms

    def describe(self) -> str:
        return (f'backbone probe {PROBE_SIZE[1]}x{PROBE_SIZE[0]}: float32 '
                f'{self.float32_ms:.1f} ms, bfloat16 {self.bfloat16_ms:.1f} ms')


_PROBES: Dict[Tuple, ProbeResult] = {}


def check_precision_setting(value: PrecisionSetting) -> PrecisionSetting:
    """Return ``value`` if it is a valid ``test_cfg.autocast``, else raise ValueError."""
    if isinstance(value, bool) or value == AUTO:
        return value
    raise ConfigError(f"test_cfg.autocast must be False, True or 'auto', got {value!r}")


def _probe_key(module: nn.Module) -> Tuple:
    shapes = tuple(tuple(p.shape) for p in module.parameters())
    return type(module).__name__, shapes, torch.get_num_threads()


def interleaved_best_ms(calls: Sequence[Callable[[], object]],
                        repeats: int = PROBE_REPEATS,
                        clock: Callable[[], float] = time.perf_counter) -> List[float]:
    """Best time in ms of each call over ``repeats`` interleaved rounds, after one
    warm-up of each, so that load from other processes hits all of them alike.

    Args:
        calls: The calls to time.
        repeats: Rounds.
        clock: Seconds; wall time by default, ``time.thread_time`` for the CPU time of
            the calling thread (blind to time spent descheduled by other processes, for
            calls that run in this thread only).
    """
    for call in calls:
        call()
    best = [float('inf')] * len(calls)
    for _ in range(repeats):
        for i, call in enumerate(calls):
            start = clock()
            call()
            best[i] = min(best[i], 1000.0 * (clock() - start))
    return best


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch's CPU kernels in the calling thread only, restoring the thread count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def precision_name(dtype: Optional[torch.dtype]) -> str:
    """``'float32'`` for ``None`` (no autocast), else the dtype's name (``'bfloat16'``)."""
    return 'float32' if dtype is None else str(dtype).replace('torch.', '')


def backbone_call(module: nn.Module, x: torch.Tensor, dtype: Optional[torch.dtype]):
    """A call of ``module(x)`` under autocast with ``dtype`` (no grad)."""
    def call():
        with torch.inference_mode(), autocast_context('cpu', dtype):
            return module(x)
    return call


def probe_cpu_bfloat16(module: nn.Module) -> ProbeResult:
    """Time ``module`` (a backbone taking ``(1, 3, H, W)``) in float32 and bfloat16.

    Cached per process; the first call per backbone shape logs its timings.

    Args:
        module: The backbone, on the CPU.

    Returns:
        :class:`ProbeResult`.
    """
    key = _probe_key(module)
    if key in _PROBES:
        return _PROBES[key]
    was_training = module.training
    module.eval()
    x = torch.randn(1, 3, *PROBE_SIZE, generator=torch.Generator().manual_seed(0))
    supported = torch.backends.mkldnn.is_available() and \
        torch.ops.mkldnn._is_mkldnn_bf16_supported()
    calls = [backbone_call(module, x, None)] + ([backbone_call(module, x, torch.bfloat16)]
                                          if supported else [])
    # One thread, timed by its own CPU time: what decides is whether the kernels are
    # native, and a machine busy with other processes must not change the choice.
    with one_torch_thread():
        fp32, bf16 = (interleaved_best_ms(calls, clock=time.thread_time) +
                      [float('inf')])[:2]
    module.train(was_training)
    result = _PROBES[key] = ProbeResult(fp32, bf16)
    choice = 'bfloat16' if result.bfloat16_faster else 'float32'
    print_log(f"precision: {result.describe()} (1 thread, CPU time): "
              f"autocast='auto' runs {choice} on this CPU", logger='current')
    return result


def resolve_autocast(setting: PrecisionSetting, device: Union[str, torch.device],
                     backbone: Optional[nn.Module] = None) -> Optional[torch.dtype]:
    """The autocast dtype for a ``test_cfg.autocast`` setting on ``device``.

    Args:
        setting: ``False``, ``True`` or ``'auto'``.
        device: Where the model runs.
        backbone: The module to probe on a CPU; ``None`` or a module without parameters
            (e.g. an ONNX Runtime engine) means nothing heavy runs in torch, so
            ``'auto'`` keeps float32 there.

    Returns:
        ``torch.bfloat16`` / ``torch.float16``, or ``None`` for float32.
    """
    check_precision_setting(setting)
    device = torch.device(device)
    if setting is False:
        return None
    if device.type == 'cuda':
        return torch.float16
    if device.type != 'cpu':
        return None
    probe_me = backbone is not None and any(True for _ in backbone.parameters())
    if setting == AUTO and not probe_me:
        return None
    result = probe_cpu_bfloat16(backbone) if probe_me else None
    if setting is True:
        if result is not None and not result.bfloat16_faster:
            warnings.warn(f'test_cfg.autocast=True: bfloat16 is slower than float32 on '
                          f'this CPU ({result.describe()}); autocast=\'auto\' would choose '
                          'float32')
        return torch.bfloat16
    return torch.bfloat16 if result.bfloat16_faster else None


def autocast_context(device: Union[str, torch.device],
                     dtype: Optional[torch.dtype]) -> ContextManager:
    """``torch.autocast`` for ``device`` with ``dtype``; a no-op for ``None``."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)
