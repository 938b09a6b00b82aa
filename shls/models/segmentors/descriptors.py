"""The descriptors the memory compares: learned superfeatures, optionally joined by a
hand-crafted block and standardised with the first frame's statistics.

One :class:`SuperfeatureDescriber` follows one video (inference, ``test_cfg.handcrafted``
/ ``standardize_features``) or one clip (stage-2 training, ``train_cfg.handcrafted``), so
the decoder trains on the attention maps it gets at test time.
"""
from typing import Callable, Optional, Sequence

import numpy as np
from torch import Tensor

from shls.registry import build_component
from ..utils import BlockStandardizer

Handcrafted = Callable[[np.ndarray, np.ndarray], Tensor]


class SuperfeatureDescriber:
    """Learned superfeatures + an optional hand-crafted block, standardised per video.

    Without a hand-crafted block and without ``standardize`` the learned superfeatures
    pass through untouched (gradients included). Otherwise every block is centred and
    scaled by the statistics of the first frame described since :meth:`reset`
    (:class:`~shls.models.utils.BlockStandardizer`), and the result is detached (the
    memory stores detached superfeatures).

    Args:
        handcrafted: Descriptor ``(rgb (H, W, 3) uint8, ids (H, W)) -> (M, D)``, e.g.
            ``SuperpixelColourStats``, or ``None``.
        weights: Weights of the learned and (if any) the hand-crafted block.
        standardize: Standardise the learned block even without a hand-crafted one.
    """

    def __init__(self, handcrafted: Optional[Handcrafted] = None,
                 weights: Sequence[float] = (1.0, 1.0), standardize: bool = False) -> None:
        self.handcrafted = handcrafted
        num_blocks = 1 if handcrafted is None else 2
        use = standardize or handcrafted is not None
        self.standardizer = BlockStandardizer(list(weights)[:num_blocks]) if use else None

    @classmethod
    def build(cls, handcrafted_cfg: Optional[dict], learned_weight: float = 1.0,
              handcrafted_weight: float = 1.0,
              standardize: bool = False) -> 'SuperfeatureDescriber':
        """A describer with the hand-crafted block built from its config (or none)."""
        hand = (build_component(handcrafted_cfg, 'handcrafted',
                                "dict(type='SuperpixelColourStats')")
                if handcrafted_cfg else None)
        return cls(hand, (learned_weight, handcrafted_weight), standardize)

    @property
    def active(self) -> bool:
        """Whether descriptors differ from the learned superfeatures."""
        return self.standardizer is not None

    def reset(self) -> None:
        """Forget the first frame's statistics (a new video or clip)."""
        if self.standardizer is not None:
            self.standardizer.reset()

    def __call__(self, features: Tensor, rgb: Optional[np.ndarray] = None,
                 superpixels: Optional[Tensor] = None) -> Tensor:
        """Descriptors of one frame.

        Args:
            features: ``(M, S)`` learned superfeatures.
            rgb: ``(H, W, 3)`` uint8 frame (needed with a hand-crafted block).
            superpixels: ``(H, W)`` int64 ids ``0..M-1`` (idem).

        Returns:
            ``(M, S + D)`` descriptors (``features`` itself when not :attr:`active`).
        """
        if self.standardizer is None:
            return features
        blocks = [features.detach()]
        if self.handcrafted is not None:
            if rgb is None or superpixels is None:
                raise ValueError('the hand-crafted block needs the frame and its superpixels')
            extra = self.handcrafted(rgb, superpixels.cpu().numpy())
            blocks.append(extra.to(device=features.device, dtype=features.dtype))
        return self.standardizer(blocks)
