"""Standardising and fusing blocks of per-superpixel descriptors."""
from typing import List, Optional, Sequence

import torch
from torch import Tensor


class BlockStandardizer:
    """Centre each block of descriptors and scale it to unit total spread, with the
    statistics of the first frame it sees, then concatenate the weighted blocks.

    Cosine similarity (the memory's metric) between centred, equally spread blocks
    weighs each block by its ``weight`` instead of by its raw scale, and is not
    dominated by the common offset of non-negative features.

    Args:
        weights: Weight of each block in the concatenation.
        eps: Floor of a block's spread.
    """

    def __init__(self, weights: Sequence[float], eps: float = 1e-6) -> None:
        self.weights = [float(w) for w in weights]
        self.eps = eps
        self.means: Optional[List[Tensor]] = None
        self.spreads: Optional[List[Tensor]] = None

    @property
    def fitted(self) -> bool:
        return self.means is not None

    def reset(self) -> None:
        self.means = self.spreads = None

    def fit(self, blocks: Sequence[Tensor]) -> None:
        """Record mean and spread (root mean squared distance to the mean) per block."""
        if len(blocks) != len(self.weights):
            raise ValueError(f'expected {len(self.weights)} blocks, got {len(blocks)}')
        self.means = [b.mean(dim=0) for b in blocks]
        self.spreads = [((b - m) ** 2).sum(dim=1).mean().sqrt().clamp_min(self.eps)
                        for b, m in zip(blocks, self.means)]

    def __call__(self, blocks: Sequence[Tensor]) -> Tensor:
        """Standardised, weighted concatenation ``(N, sum of block widths)``."""
        if not self.fitted:
            self.fit(blocks)
        parts = [(b - m) / s * w for b, m, s, w in zip(blocks, self.means, self.spreads,
                                                        self.weights)]
        return torch.cat(parts, dim=1)
