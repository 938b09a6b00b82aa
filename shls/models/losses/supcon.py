"""Supervised contrastive loss (SupCon, Khosla et al. 2020) over superfeatures."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import MODELS
from shls.structures.ids import VOID_ID
from shls.utils.errors import ConfigError
from .base import ContrastiveLoss


@MODELS.register_module()
class SupConLoss(ContrastiveLoss):
    """Supervised contrastive loss (the ``L_out`` form of Khosla et al. 2020).

    Groups are the frames of the pseudo-videos (the segmentor passes each superfeature's
    frame index), and, as for :class:`NTXentLoss`, nothing pairs across groups. For an
    anchor ``i`` of group ``g``:

    - ``A(i)``: every other superfeature of ``g`` (the denominator);
    - ``P(i)``: the superfeatures of ``A(i)`` with the label of ``i`` (all positives at
      once, none sampled);

    and, with cosine similarities ``s`` and temperature ``t``::

        l_i = -1/|P(i)| * sum_{p in P(i)} log( exp(s_ip / t) / sum_{a in A(i)} exp(s_ia / t) )

    The loss is the mean of ``l_i`` over the anchors with ``|P(i)| > 0``; anchors without a
    positive are skipped as anchors but still act as negatives of the others. Each anchor
    weighs the same whatever its number of positives; this is what sets it apart from
    ``NTXentLoss(partners_per_anchor=None)``, which averages over positive pairs (so large
    objects, with many superpixels and many pairs each, dominate it).

    Args:
        temperature: tau (0.07, as :class:`NTXentLoss`).
        loss_weight: Multiplier of the loss.
        ignore_index: Superfeatures with this label take no part (neither anchor nor
            partner).
    """

    def __init__(self, temperature: float = 0.07, loss_weight: float = 1.0,
                 ignore_index: int = VOID_ID) -> None:
        super().__init__()
        if temperature <= 0:
            raise ConfigError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index

    def forward(self, features: Tensor, labels: Tensor,
                groups: Optional[Tensor] = None) -> Tensor:
        """The SupCon loss of a batch of superfeatures.

        Args:
            features: ``(N, D)`` superfeatures (normalised inside).
            labels: ``(N,)`` int64 object label per superfeature.
            groups: ``(N,)`` frame index per superfeature; pairs never cross groups.
                ``None`` puts all in one group.

        Returns:
            Scalar loss (0 with a gradient path when no anchor has a positive).
        """
        if groups is None:
            groups = torch.zeros_like(labels)
        keep = labels != self.ignore_index
        feats = F.normalize(features[keep], dim=1)
        labels, groups = labels[keep], groups[keep]
        same_group = groups[:, None] == groups[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        others = same_group & ~eye
        positives = others & (labels[:, None] == labels[None, :])
        anchors = positives.any(dim=1)
        if not anchors.any():
            return features.sum() * 0.0
        # Only rows of anchors with a positive (hence a finite log-denominator).
        feats_a = feats[anchors]
        others, positives = others[anchors], positives[anchors]
        logits = feats_a @ feats.t() / self.temperature
        log_denominator = logits.masked_fill(~others, float('-inf')).logsumexp(dim=1)
        log_prob = logits - log_denominator[:, None]
        num_pos = positives.sum(dim=1)
        per_anchor = -log_prob.masked_fill(~positives, 0.0).sum(dim=1) / num_pos
        return self.loss_weight * per_anchor.mean()
