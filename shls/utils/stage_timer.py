"""Wall-clock time per named stage of a loop (per-stage frames/s of the inference core)."""
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Dict, Iterator

import torch


class StageTimer:
    """Accumulates the seconds spent in named stages.

    CUDA work is synchronised at both ends of a stage when ``cuda_sync`` (so kernels are
    counted in the stage that launched them).

    Example:
        >>> timer = StageTimer()
        >>> with timer('superpixels'):
        ...     pass
        >>> sorted(timer.seconds)
        ['superpixels']

    Args:
        cuda_sync: Synchronise CUDA (when available) around every stage.
    """

    def __init__(self, cuda_sync: bool = True) -> None:
        self.cuda_sync = bool(cuda_sync) and torch.cuda.is_available()
        self.seconds: Dict[str, float] = defaultdict(float)
        self.calls: Dict[str, int] = defaultdict(int)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self.cuda_sync:
            torch.cuda.synchronize()
        start = time.perf_counter()
        try:
            yield
        finally:
            if self.cuda_sync:
                torch.cuda.synchronize()
            self.seconds[stage] += time.perf_counter() - start
            self.calls[stage] += 1

    def reset(self) -> None:
        """Forget all stages."""
        self.seconds.clear()
        self.calls.clear()

    def per_call_ms(self) -> Dict[str, float]:
        """Mean milliseconds per call of every stage (in first-seen order)."""
        return {k: 1000.0 * s / max(self.calls[k], 1) for k, s in self.seconds.items()}
