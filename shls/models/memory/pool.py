"""One class's pool of superfeatures and its capping rule."""
from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor


def capped_indices(length: int, cap: int, keep: int, device: torch.device) -> Tensor:
    """Indices kept when a pool of ``length`` entries is capped.

    The first ``keep`` entries are kept for ever; of the others, the newest
    ``cap - keep`` survive (FIFO).

    Args:
        length: Current pool size (entries in insertion order).
        cap: Maximum size.
        keep: Number of protected leading entries, ``0 <= keep <= cap``.
        device: Device of the returned index.

    Returns:
        ``(min(length, cap),)`` int64 increasing indices.
    """
    if length <= cap:
        return torch.arange(length, device=device)
    head = torch.arange(keep, device=device)
    tail = torch.arange(length - (cap - keep), length, device=device)
    return torch.cat([head, tail])


@dataclass
class ClassPool:
    """Superfeatures of one class, in insertion order.

    Attributes:
        features: ``(n, D)`` L2-normalised superfeatures.
        ids: ``(n,)`` int64 global insertion ids (for inspection and tests).
        num_first: Number of superfeatures the class had when it entered memory
            (its frame-0 count ``n_c``).
        centroids: ``(k, D)`` long-term centroids, or ``None`` before clustering.
    """

    features: Tensor
    ids: Tensor
    num_first: int
    centroids: Optional[Tensor] = None

    def __len__(self) -> int:
        return self.features.shape[0]

    def append(self, features: Tensor, ids: Tensor) -> None:
        """Add entries at the end (newest)."""
        self.features = torch.cat([self.features, features])
        self.ids = torch.cat([self.ids, ids])

    def cap(self, cap: int, keep: int) -> bool:
        """Apply :func:`capped_indices`; return whether anything was dropped."""
        if len(self) <= cap:
            return False
        index = capped_indices(len(self), cap, keep, self.features.device)
        self.features = self.features[index]
        self.ids = self.ids[index]
        return True

    @property
    def nbytes(self) -> int:
        """Bytes of features, ids and centroids."""
        tensors = [self.features, self.ids]
        if self.centroids is not None:
            tensors.append(self.centroids)
        return sum(t.numel() * t.element_size() for t in tensors)
