"""Pixel labels that follow the frame's edges, from per-superpixel class probabilities.

The pre-segmentation decides per superpixel; painting those decisions gives masks whose
boundaries are the superpixels' (computed on a half-size frame in the CPU settings).
:class:`GuidedFilterMask` paints the class probabilities instead, smooths them by a
guided filter with the frame as guide (edges of the frame kept, flat regions averaged)
and takes the per-pixel argmax (``model.test_cfg.edge_aware``; README, "Edge-aware
masks"). The memory still learns from the superpixel decisions.
"""
from typing import Callable, Optional, Sequence, Tuple

import torch
from torch import Tensor

from shls.registry import MODELS, build_component
from shls.utils.errors import ConfigError
from ..utils.guided_filter import guided_filter
from .partitions import mean_painted


@MODELS.register_module()
class GuidedFilterMask:
    """Per-pixel class of per-superpixel probabilities, smoothed along the frame's edges.

    Args:
        radius: Window radius of the guided filter as a multiple of the mean superpixel
            side ``sqrt(H * W / M)`` (the scale of the superpixel mask's errors): 0.8 is
            16 px at 854x480 with the ~1,000 superpixels of the CPU settings, and scales
            with the frame and the superpixel density.
        eps: Its ridge term, in units of the standardised frame's variance (larger:
            smoother, closer to the plain superpixel mask's blur; smaller: follows
            colour edges more closely).
        scale: Fit the filter on the frame resized by this factor (the fast guided
            filter; 0.5 is about 4x cheaper than 1.0).
    """

    def __init__(self, radius: float = 0.8, eps: float = 0.16, scale: float = 0.5) -> None:
        if not (radius > 0 and eps > 0 and 0 < scale <= 1):
            raise ConfigError(f'GuidedFilterMask needs radius > 0, eps > 0 and scale in '
                              f'(0, 1], got radius={radius!r}, eps={eps!r}, '
                              f'scale={scale!r}')
        self.radius = float(radius)
        self.eps = float(eps)
        self.scale = float(scale)

    @torch.no_grad()
    def __call__(self, image: Tensor, superpixels: Tensor, probs: Tensor,
                 extra: Sequence[Tuple[Tensor, Tensor]] = (),
                 prior: Optional[Callable[[Tensor], Tensor]] = None,
                 post: Optional[Callable[[Tensor], Tensor]] = None) -> Tensor:
        """Column of ``probs`` that wins at each pixel.

        Args:
            image: ``(1, 3, H, W)`` frame (any affine normalisation: it is standardised
                here, per channel mean and one spread).
            superpixels: ``(H, W)`` int64 ids ``0..M-1``.
            probs: ``(M, C)`` class probabilities of the superpixels.
            extra: ``(superpixels, probs)`` of more partitions of the frame (same
                classes): the painted probabilities of all are averaged first
                (``test_cfg.extra_partitions``). The filter's radius follows the
                main partition.
            prior: Applied to the painted (averaged) ``(C', H, W)`` probabilities of the
                first ``C'`` classes before the filter (the last class is implied when
                the rows sum to 1), e.g. the warped previous mask blended in
                (``test_cfg.flow_prior.pixel_weight``); it must keep row sums.
            post: Applied to the filtered ``(C, H, W)`` probabilities before the argmax
                (e.g. ``test_cfg.pixel_classifier``'s share after the filter).

        Returns:
            ``(H, W)`` int64 indices into the ``C`` classes.
        """
        side = (superpixels.numel() / max(1, probs.shape[0])) ** 0.5
        radius = max(1, round(self.radius * side))
        guide = image.float()
        guide = (guide - guide.mean(dim=(2, 3), keepdim=True)) / guide.std().clamp_min(1e-6)
        parts = [(superpixels, probs), *extra]
        # the filter is linear and keeps constants, so when the rows sum to 1 the last
        # class is 1 minus the others: one map fewer to filter (half the work for one
        # object), the same argmax up to rounding
        implied = probs.shape[1] > 1 and all(bool(torch.allclose(
            p.float().sum(dim=1), p.new_ones((), dtype=torch.float32), atol=1e-4))
            for _, p in parts)
        maps = mean_painted([(s, p[:, :-1] if implied else p) for s, p in parts])
        if prior is not None:
            maps = prior(maps)
        maps = maps[None]
        smooth = guided_filter(guide.contiguous(), maps, radius, self.eps, self.scale)[0]
        if implied:
            smooth = torch.cat([smooth, 1 - smooth.sum(dim=0, keepdim=True)])
        if post is not None:
            smooth = post(smooth)
        # argmax over a last, contiguous dim: ~5x faster on a CPU than over dim 0
        return smooth.permute(1, 2, 0).contiguous().argmax(dim=-1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(radius={self.radius}, eps={self.eps}, '
                f'scale={self.scale})')


#: ``(image (1, 3, H, W), superpixels (H, W), probs (M, C)) -> (H, W)`` class columns;
#: with ``test_cfg.extra_partitions`` it is also given ``extra=[(superpixels, probs),
#: ...]`` of the other partitions, with ``test_cfg.flow_prior.pixel_weight`` a
#: ``prior`` on the painted probabilities (see :meth:`GuidedFilterMask.__call__`).
EdgeAware = Callable[..., Tensor]


def build_edge_aware(cfg: Optional[dict]) -> Optional[EdgeAware]:
    """The ``test_cfg.edge_aware`` component (``None`` when off). With the refinement
    decoder on, the decoder's mask is the output and this one only places the ROIs.

    Raises:
        ConfigError: Not a dict with a ``type``, an unregistered type or a bad argument.
    """
    if cfg is None:
        return None
    return build_component(cfg, 'test_cfg.edge_aware', "dict(type='GuidedFilterMask')")
