"""Choosing the confident superfeatures that enter memory."""
from typing import Optional

import torch
from torch import Tensor


def select_confident(probs: Tensor, threshold: float, cols: Optional[Tensor] = None,
                     relative: bool = False) -> Tensor:
    """Mask of superpixels confident enough to be memorised.

    Each superpixel is judged on its probability ``p`` for its assigned column (given,
    e.g. the pre-segmentation, or the argmax):

    * absolute: ``p >= threshold``;
    * relative (the seed code's rule, applied to probabilities instead of logits):
      ``p >= threshold * mean(p of the superpixels assigned the same column)``.

    Args:
        probs: ``(M, C)`` per-superpixel class probabilities (columns = memory classes).
        threshold: Absolute threshold, or the relative factor (seed code: 0.4).
        cols: ``(M,)`` int64 assigned columns; ``None`` = ``probs.argmax(1)``.
        relative: Use the relative rule.

    Returns:
        ``(M,)`` bool.
    """
    if cols is None:
        cols = probs.argmax(dim=1)
    p = probs.gather(1, cols[:, None]).squeeze(1)
    if not relative:
        return p >= threshold
    num_cols = probs.shape[1]
    sums = p.new_zeros(num_cols).index_add_(0, cols, p)
    counts = torch.bincount(cols, minlength=num_cols).clamp_min(1).to(p.dtype)
    return p >= threshold * (sums / counts)[cols]


def memorise_confident(memory, features: Tensor, labels: Tensor, probs: Tensor) -> Tensor:
    """Add the confident superfeatures of a segmented frame to their class pools.

    The one memory-update rule of the inference core and of stage-2 training: a
    superpixel joins the pool of ``labels`` when ``memory.select_confident(probs, labels)``
    holds (method.md §5 "Update").

    Args:
        memory: A fitted memory (``select_confident`` and ``update``, e.g.
            :class:`~shls.models.memory.MemoryBank`).
        features: ``(M, D)`` superfeatures of the frame.
        labels: ``(M,)`` int64 class id of each superpixel (the pool it may join).
        probs: ``(M, C)`` class probabilities, columns = ``memory.classes``.

    Returns:
        ``(M,)`` bool: the superpixels offered to ``memory.update``.
    """
    confident = memory.select_confident(probs, labels)
    memory.update(features, labels, confident)
    return confident
