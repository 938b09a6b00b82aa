"""Short-term scores: weighted KNN over all pools."""
from typing import Tuple

import torch
from torch import Tensor


def neighbour_weights(k: int, ratio: float, like: Tensor) -> Tensor:
    """``(k,)`` weights ``ratio ** i`` for neighbours ``i = 0..k-1``."""
    return ratio ** torch.arange(k, device=like.device, dtype=like.dtype)


def short_term_scores(sims: Tensor, cols: Tensor, num_classes: int,
                      ratio: float) -> Tuple[Tensor, Tensor]:
    """Per-class short-term score and summed neighbour weight.

    ``S_c = sum_i w_i * sim_i * [col_i = c] / sum_i w_i`` with ``w_i = ratio ** i``.

    Args:
        sims: ``(M, k)`` neighbour similarities, most similar first.
        cols: ``(M, k)`` int64 class columns of the neighbours.
        num_classes: ``C``.
        ratio: Weight decay ``r`` between successive neighbours.

    Returns:
        ``(S (M, C), W (M, C))``, ``W_c = sum_i w_i [col_i = c]``.
    """
    weights = neighbour_weights(sims.shape[1], ratio, sims).expand_as(sims)
    total = weights[0].sum()
    scores = sims.new_zeros(sims.shape[0], num_classes).scatter_add_(1, cols, weights * sims)
    votes = sims.new_zeros(sims.shape[0], num_classes).scatter_add_(1, cols, weights)
    return scores / total, votes


def weighted_vote(scores: Tensor, votes: Tensor) -> Tensor:
    """Column with the largest summed weight; ties go to the larger score.

    Args:
        scores: ``(M, C)`` short-term scores.
        votes: ``(M, C)`` summed neighbour weights.

    Returns:
        ``(M,)`` int64 winning column.
    """
    tied = torch.isclose(votes, votes.amax(dim=1, keepdim=True)) & (votes > 0)
    return torch.where(tied, scores, torch.full_like(scores, -float('inf'))).argmax(dim=1)
