"""Paste-back of per-object ROI logits and soft aggregation over objects (Eq. 5)."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

BACKGROUND_FILL = 1e7


def paste_logits(logits: Tensor, boxes: Tensor, frame_size: Tuple[int, int],
                 fill: float = BACKGROUND_FILL) -> Tensor:
    """Place per-object 2-class ROI logits into full-frame canvases.

    Outside its ROI an object gets the logits ``(background=fill, foreground=0)``, i.e.
    foreground probability 0. ROI logits whose size differs from the box size are resized
    bilinearly to it first; box parts outside the frame (padding) are dropped.

    Args:
        logits: ``(N, 2, h, w)`` ROI logits (channel 0 = background).
        boxes: ``(N, 4)`` int boxes ``[x1, y1, x2, y2]``.
        frame_size: ``(H, W)``.
        fill: Background logit outside the ROI (capped at the dtype's maximum).

    Returns:
        ``(N, 2, H, W)``.
    """
    h, w = frame_size
    canvas = logits.new_zeros((len(logits), logits.shape[1], h, w))
    canvas[:, 0] = min(fill, torch.finfo(logits.dtype).max)
    for i, (x1, y1, x2, y2) in enumerate(boxes.long().tolist()):
        roi = logits[i:i + 1]
        if roi.shape[-2:] != (y2 - y1, x2 - x1):
            roi = F.interpolate(roi, size=(y2 - y1, x2 - x1), mode='bilinear',
                                align_corners=False)
        cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
        if cx2 > cx1 and cy2 > cy1:
            canvas[i, :, cy1:cy2, cx1:cx2] = roi[0, :, cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1]
    return canvas


def foreground_probs(logits: Tensor) -> Tensor:
    """``(N, H, W)`` foreground probabilities of ``(N, 2, H, W)`` 2-class logits."""
    return logits.softmax(dim=1)[:, 1]


def soft_aggregation_logits(fg_probs: Tensor, eps: float = 1e-7, dim: int = 0) -> Tensor:
    """Soft aggregation of per-object foreground probabilities (Eq. 5, RGMP).

    Background probability ``prod_k (1 - p_k)`` is prepended along ``dim``; all values
    are clamped to ``[eps, 1 - eps]`` and mapped to ``log(p / (1 - p))``. The softmax of
    these logits is the normalised odds of Eq. 5; feed them to a cross-entropy loss.

    Args:
        fg_probs: ``(..., K, ...)`` probabilities, objects along ``dim``.
        eps: Clamp margin.
        dim: Object dimension.

    Returns:
        Logits with ``K + 1`` entries along ``dim`` (index 0 = background).
    """
    background = torch.prod(1.0 - fg_probs, dim=dim, keepdim=True)
    probs = torch.cat([background, fg_probs], dim=dim).clamp(eps, 1.0 - eps)
    return torch.log(probs) - torch.log1p(-probs)


def soft_aggregation(fg_probs: Tensor, eps: float = 1e-7, dim: int = 0) -> Tensor:
    """Eq. 5 probabilities (``K + 1`` along ``dim``, summing to 1); see
    :func:`soft_aggregation_logits`."""
    return soft_aggregation_logits(fg_probs, eps, dim).softmax(dim=dim)


def aggregate_mask(fg_probs: Tensor, eps: float = 1e-7, dim: int = 0) -> Tensor:
    """Final label map: argmax of Eq. 5 (0 = background, k = object k, 1-based)."""
    return soft_aggregation_logits(fg_probs, eps, dim).argmax(dim=dim)
