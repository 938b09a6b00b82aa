"""NT-Xent over superfeatures (method.md §4)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import MODELS
from shls.structures.ids import VOID_ID
from shls.utils.errors import ConfigError
from .base import ContrastiveLoss


def sample_partners(candidates: Tensor, num: int, generator: Optional[torch.Generator] = None):
    """Draw up to ``num`` distinct random partners per row among ``candidates``.

    Args:
        candidates: ``(A, N)`` bool, allowed partners of each anchor.
        num: Partners per anchor.
        generator: Optional torch generator for reproducible draws.

    Returns:
        ``(index (A, k), valid (A, k))`` with ``k = min(num, N)``; ``valid`` is False
        where an anchor has fewer than ``k`` candidates.
    """
    keys = torch.rand(candidates.shape, device=candidates.device, generator=generator)
    keys = keys.masked_fill(~candidates, -1.0)
    k = min(num, candidates.shape[1])
    values, index = keys.topk(k, dim=1)
    return index, values >= 0


@MODELS.register_module()
class NTXentLoss(ContrastiveLoss):
    """Supervised NT-Xent (normalised temperature-scaled cross-entropy) on superfeatures.

    Positives of an anchor are the other superpixels with the same object label in the
    same frame; negatives are superpixels of any other label (background included) in the
    same frame. For each positive pair ``(a, p)``:
    ``-log(exp(s_ap / t) / (exp(s_ap / t) + sum_n exp(s_an / t)))`` with cosine
    similarities ``s``; the loss is the mean over positive pairs.

    Two pair forms:

    - ``partners_per_anchor=16`` (SHLS seed code): every anchor draws up to 16 random
      positives and 16 random negatives (without replacement); the denominator of each of
      its positive pairs holds the drawn negatives. Anchors lacking a positive or a
      negative contribute nothing.
    - ``partners_per_anchor=None`` (the SimCLR form of the paper, multi-positive): every
      positive pair is used and the denominator holds every other superpixel of the frame
      except the anchor.

    Args:
        temperature: tau (0.07 in the seed code).
        partners_per_anchor: See above.
        loss_weight: Multiplier of the loss.
        ignore_index: Superpixels with this label take no part.
    """

    def __init__(self, temperature: float = 0.07, partners_per_anchor: Optional[int] = 16,
                 loss_weight: float = 1.0, ignore_index: int = VOID_ID) -> None:
        super().__init__()
        if temperature <= 0:
            raise ConfigError(f'temperature must be > 0, got {temperature}')
        if partners_per_anchor is not None and partners_per_anchor < 1:
            raise ConfigError(f'partners_per_anchor must be >= 1 or None, got '
                              f'{partners_per_anchor}')
        self.temperature = temperature
        self.partners_per_anchor = partners_per_anchor
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index

    def forward(self, features: Tensor, labels: Tensor, groups: Optional[Tensor] = None,
                generator: Optional[torch.Generator] = None) -> Tensor:
        """The NT-Xent loss of a batch of superfeatures.

        Args:
            features: ``(N, D)`` superfeatures (normalised inside).
            labels: ``(N,)`` int64 object label per superfeature.
            groups: ``(N,)`` frame index per superfeature; pairs never cross groups.
                ``None`` puts all in one group.
            generator: Optional torch generator for the partner draw.

        Returns:
            Scalar loss (0 with a gradient path when no positive pair exists).
        """
        if groups is None:
            groups = torch.zeros_like(labels)
        keep = labels != self.ignore_index
        feats = F.normalize(features[keep], dim=1)
        labels, groups = labels[keep], groups[keep]
        logits = feats @ feats.t() / self.temperature
        same_group = groups[:, None] == groups[None, :]
        same_label = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        positives = same_group & same_label & ~eye
        negatives = same_group & ~same_label
        if self.partners_per_anchor is None:
            loss = self._all_pairs(logits, positives, same_group & ~eye)
        else:
            loss = self._sampled_pairs(logits, positives, negatives, generator)
        if loss is None:
            return features.sum() * 0.0
        return self.loss_weight * loss

    def _all_pairs(self, logits: Tensor, positives: Tensor, others: Tensor) -> Optional[Tensor]:
        if not positives.any():
            return None
        log_denominator = logits.masked_fill(~others, float('-inf')).logsumexp(dim=1)
        log_prob = logits - log_denominator[:, None]
        return -log_prob[positives].mean()

    def _sampled_pairs(self, logits: Tensor, positives: Tensor, negatives: Tensor,
                       generator: Optional[torch.Generator]) -> Optional[Tensor]:
        anchors = positives.any(dim=1) & negatives.any(dim=1)
        if not anchors.any():
            return None
        logits, positives, negatives = logits[anchors], positives[anchors], negatives[anchors]
        pos_idx, pos_ok = sample_partners(positives, self.partners_per_anchor, generator)
        neg_idx, neg_ok = sample_partners(negatives, self.partners_per_anchor, generator)
        pos = logits.gather(1, pos_idx)
        neg = logits.gather(1, neg_idx).masked_fill(~neg_ok, float('-inf'))
        neg_lse = neg.logsumexp(dim=1, keepdim=True)
        # -log(e^p / (e^p + sum e^n)) = logaddexp(p, lse_n) - p
        loss = torch.logaddexp(pos, neg_lse.expand_as(pos)) - pos
        return loss[pos_ok].mean()
