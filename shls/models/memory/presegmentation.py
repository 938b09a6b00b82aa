"""Superpixel-level pre-segmentation (paper Eq. 4) and the per-object attention maps.

Everything is per superpixel; painting to pixels is ``values[labels]``
(:func:`shls.models.utils.superpixel_ops.paint`).
"""
from typing import Optional

import torch
from torch import Tensor


def others_max(scores: Tensor, fill: float = 0.0) -> Tensor:
    """``out[:, k] = max_{l != k} scores[:, l]`` (the contrastive term).

    Args:
        scores: ``(M, C)``.
        fill: Value used when ``C == 1`` (no other class).

    Returns:
        ``(M, C)``.
    """
    if scores.shape[1] == 1:
        return torch.full_like(scores, fill)
    top = scores.topk(2, dim=1)
    cols = torch.arange(scores.shape[1], device=scores.device)
    is_top = cols[None, :] == top.indices[:, :1]
    return torch.where(is_top, top.values[:, 1:2], top.values[:, :1])


def eq4_scores(short: Tensor, long: Tensor) -> Tensor:
    """``score_k = S_k + L_k - (max_{l!=k} S_l + max_{l!=k} L_l)`` (Eq. 4), ``(M, C)``."""
    return short + long - (others_max(short) + others_max(long))


def presegment_eq4(short: Tensor, long: Tensor, classes: Tensor) -> Tensor:
    """Class id of each superpixel: the argmax of :func:`eq4_scores`.

    Args:
        short: ``(M, C)`` short-term scores.
        long: ``(M, C)`` long-term scores.
        classes: ``(C,)`` class ids in column order.

    Returns:
        ``(M,)`` int64 class ids.
    """
    return classes[eq4_scores(short, long).argmax(dim=1)]


def attention_maps(short: Tensor, long: Tensor, classes: Tensor,
                   object_ids: Optional[Tensor] = None) -> Tensor:
    """The four attention channels of every object, per superpixel.

    Channels: ``[S_k, max_{l!=k} S_l, L_k, max_{l!=k} L_l]`` (short-term positive,
    short-term contrastive, long-term positive, long-term contrastive; "other classes"
    include the background).

    Args:
        short: ``(M, C)`` short-term scores.
        long: ``(M, C)`` long-term scores.
        classes: ``(C,)`` class ids in column order.
        object_ids: ``(K,)`` ids of the objects wanted; default: every non-zero class,
            in column order.

    Returns:
        ``(M, K, 4)``.
    """
    if object_ids is None:
        cols = torch.nonzero(classes != 0).squeeze(1)
    else:
        cols = torch.searchsorted(classes, object_ids.to(classes.device))
        if not bool((classes[cols.clamp_max(len(classes) - 1)] == object_ids).all()):
            raise ValueError(f'object ids {object_ids.tolist()} not all in {classes.tolist()}')
    maps = torch.stack([short, others_max(short), long, others_max(long)], dim=2)
    return maps[:, cols]
