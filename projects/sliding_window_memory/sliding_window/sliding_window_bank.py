"""A memory that keeps each class's first superfeatures plus those of the last K frames."""
from collections import deque
from typing import Optional, Tuple

from torch import Tensor

from shls.models.memory import ClassPool, MemoryBank
from shls.registry import MODELS
from shls.utils.errors import ConfigError


@MODELS.register_module()
class SlidingWindowMemoryBank(MemoryBank):
    """:class:`~shls.models.memory.MemoryBank` with a sliding window instead of caps.

    Each class keeps, for ever, the superfeatures it entered memory with (its frame-0
    pool, or its first annotation), plus whatever was added during the last ``window``
    calls of :meth:`update` (one call per frame); older additions are dropped, and the
    long-term centroids are warm-restarted on what remains. ``window=0`` freezes the
    memory at its first entries.

    It reuses the base class's protected hooks: ``_limits`` (the cap of a pool),
    ``_cluster`` and ``_rebuild``.

    Args:
        window: Number of most recent frames kept (K).
        **kwargs: Other :class:`MemoryBank` arguments (``k``, ``ratio``, ``kmeans``,
            ``backend`` ...); ``cap_factor`` / ``keep_factor`` / ``max_total`` are
            superseded by the window (keep ``cap_factor > 0``).
    """

    def __init__(self, window: int = 5, **kwargs) -> None:
        if window < 0:
            raise ConfigError(f'window must be >= 0, got {window}')
        self.window = int(window)
        super().__init__(**kwargs)

    def reset(self) -> None:
        super().reset()
        # insertion id of the first superfeature added by each of the last K updates
        self._frame_starts: deque = deque(maxlen=max(self.window, 1))

    def update(self, features: Tensor, labels: Tensor,
               confidence: Optional[Tensor] = None) -> None:
        """Add one frame's superfeatures, then forget frames older than the window."""
        self._check_fitted()
        self._frame_starts.append(self._next_id)
        super().update(features, labels, confidence)
        self._expire()

    def _limits(self, pool: ClassPool) -> Tuple[int, int]:
        """``(cap, keep)``: the first entries plus the entries of the window."""
        if self.window == 0 or not self._frame_starts:
            return pool.num_first, pool.num_first
        recent = int((pool.ids[pool.num_first:] >= self._frame_starts[0]).sum())
        return pool.num_first + recent, pool.num_first

    def _expire(self) -> None:
        """Drop out-of-window entries of classes that got nothing this frame too."""
        dropped = False
        for class_id, pool in self._pools.items():
            if pool.cap(*self._limits(pool)):
                self._cluster(class_id, pool, warm=True)
                dropped = True
        if dropped:
            self._rebuild()

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, window={self.window})'
