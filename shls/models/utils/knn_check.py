"""The superpixel KNN self-check logged during training."""
from typing import Dict

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.structures.ids import VOID_ID


@torch.no_grad()
def knn_self_check(features: Tensor, labels: Tensor, counts: Tensor, frames_per_clip: int,
                   ignore_index: int = VOID_ID) -> Dict[str, int]:
    """Classify every later-frame superpixel of a clip by its nearest frame-0 superfeature.

    Args:
        features: ``(N, D)`` superfeatures of ``B * T`` frames, frame by frame.
        labels: ``(N,)`` label of each superpixel (mask mode).
        counts: ``(B * T,)`` superpixels per frame.
        frames_per_clip: ``T``.
        ignore_index: Labels excluded from the counts.

    Returns:
        Counts ``knn_correct``, ``knn_total``, ``knn_fg_correct``, ``knn_fg_total`` summed
        over the clips.
    """
    feats = F.normalize(features.float(), dim=1)
    frame_of = torch.repeat_interleave(torch.arange(len(counts), device=counts.device), counts)
    clip_of = frame_of // frames_per_clip
    is_first = frame_of % frames_per_clip == 0
    sims = feats @ feats.t()
    allowed = (clip_of[:, None] == clip_of[None, :]) & is_first[None, :]
    sims = sims.masked_fill(~allowed, float('-inf'))
    pred = labels[sims.argmax(dim=1)]
    query = ~is_first & (labels != ignore_index) & allowed.any(dim=1)
    correct = (pred == labels) & query
    fg = query & (labels != 0)
    return dict(knn_correct=int(correct.sum()), knn_total=int(query.sum()),
                knn_fg_correct=int((correct & fg).sum()), knn_fg_total=int(fg.sum()))
