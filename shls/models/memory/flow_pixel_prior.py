"""The flow prior at pixel level: the warped previous mask joins the per-pixel
probabilities before the edge-aware step.

Not in the paper. :func:`~shls.models.memory.flow_prior.flow_prior_scores` gives each
superpixel a bonus from the fraction of it that the previous mask, moved by optical flow,
gives to each class, so where inside a superpixel the previous boundary ran is lost. With
``test_cfg.flow_prior.pixel_weight = w`` the painted class probabilities ``P`` of every
pixel that the warp gives a class (and, with ``occlusion_check``, that the flow traces
back) become ``(1 - w) P + w onehot(warped class)`` before the guided filter
(:class:`~shls.models.segmentors.edge_aware.GuidedFilterMask`). A pixel whose
superpixel is sure of its class keeps it (for ``w < 0.5``); where the superpixel is
unsure, mostly along boundaries, the previous frame's boundary moved by the flow decides.
Other pixels (void, untraced) keep ``P``.
"""
from typing import Optional

import torch
from torch import Tensor


def blend_warped_mask(maps: Tensor, warped: Tensor, classes: Tensor, weight: float,
                      untraced: Optional[Tensor] = None) -> Tensor:
    """Blend per-pixel class maps with the one-hot warped previous mask.

    Args:
        maps: ``(C', H, W)`` float probabilities of the first ``C' <= C`` classes
            (``GuidedFilterMask`` drops the last one when the rows sum to 1).
        warped: ``(H, W)`` int64 label map of the previous frame moved onto this one
            (:class:`~shls.models.memory.flow_prior.FlowWarper`).
        classes: ``(C,)`` class ids in column order; other labels (void) count for none.
        weight: ``w`` in [0, 1].
        untraced: ``(H, W)`` bool pixels the flow cannot trace back, kept as they are;
            ``None``: every pixel is traced.

    Returns:
        ``(C', H, W)`` float maps (the rows still sum to 1 where they did).
    """
    onehot = warped[None] == classes[:, None, None]
    valid = onehot.any(dim=0, keepdim=True)
    if untraced is not None:
        valid &= ~untraced[None]
    onehot = onehot[:maps.shape[0]].to(maps.dtype)
    return torch.where(valid, torch.lerp(maps, onehot, weight), maps)
