"""Superpixels of upcoming frames, computed in a background thread.

SLIC (scikit-image) is single-threaded and releases the GIL, so on a multi-core CPU the
superpixels of frame ``t + 1`` can run beside the backbone, memory query and masks of
frame ``t``. :class:`~shls.apis.VideoSegmenter` keeps one :class:`SuperpixelPrefetcher`;
the stream loops announce the next frame with ``VideoSegmenter.prefetch`` (README, "Speed
of the engines").
"""
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Deque, Optional, Tuple

import numpy as np


class SuperpixelPrefetcher:
    """A queue of superpixel computations, keyed by the frame object they are for.

    Args:
        compute: ``(H, W, 3)`` uint8 frame -> ``(H, W)`` label map.
        depth: Pending frames kept at most (older ones are dropped first).
    """

    def __init__(self, compute: Callable[[np.ndarray], np.ndarray], depth: int = 2) -> None:
        self._compute = compute
        self._depth = depth
        self._pool: Optional[ThreadPoolExecutor] = None
        self._pending: Deque[Tuple[object, Future]] = deque()

    def submit(self, key: object, rgb: np.ndarray) -> None:
        """Start the superpixels of ``rgb``, to be taken with the same ``key`` object."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix='shls-superpixels')
        while len(self._pending) >= self._depth:
            self._pending.popleft()[1].cancel()
        self._pending.append((key, self._pool.submit(self._compute, rgb)))

    def take(self, key: object) -> Optional[Future]:
        """The computation submitted for ``key`` (identity, not equality), removed from
        the queue with every entry submitted before it; ``None`` if there is none (the
        queue is then left as it is: its entries are for later frames)."""
        for position, (pending_key, _) in enumerate(self._pending):
            if pending_key is key:
                for _ in range(position):
                    self._pending.popleft()[1].cancel()
                return self._pending.popleft()[1]
        return None

    def clear(self) -> None:
        """Drop every pending computation (one already running finishes unseen)."""
        while self._pending:
            self._pending.popleft()[1].cancel()

    def __len__(self) -> int:
        return len(self._pending)
