"""The interface every contrastive loss over superfeatures implements."""
from abc import ABCMeta, abstractmethod
from typing import Optional

from torch import Tensor, nn


class ContrastiveLoss(nn.Module, metaclass=ABCMeta):
    """A loss that pulls together superfeatures of the same object within a frame.

    The segmentor (:class:`~shls.models.segmentors.SHLS`) builds it from its ``loss``
    config by registered ``type`` (e.g. ``NTXentLoss``) and calls it as
    ``loss(features, labels, groups)``. Subclasses implement :meth:`forward` with that
    signature and may add keyword arguments of their own after it.
    """

    @abstractmethod
    def forward(self, features: Tensor, labels: Tensor,
                groups: Optional[Tensor] = None) -> Tensor:
        """The loss of a batch of superfeatures.

        Args:
            features: ``(N, D)`` superfeatures.
            labels: ``(N,)`` int64 object label of each superfeature.
            groups: ``(N,)`` frame index of each superfeature; pairs never cross groups.
                ``None`` puts all in one group.

        Returns:
            Scalar loss, differentiable with respect to ``features``.
        """
