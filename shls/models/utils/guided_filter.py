"""The guided filter (He, Sun and Tang, ECCV 2010): edge-aware smoothing of maps by an image.

Used to carry per-superpixel class probabilities to pixels along the frame's edges
(:class:`~shls.models.segmentors.edge_aware.GuidedFilterMask`). Vectorised torch on any
device: box means by cumulative sums (cost independent of the radius) and the per-pixel
3x3 systems solved in closed form.
"""
import torch
import torch.nn.functional as F
from torch import Tensor


def box_mean(x: Tensor, radius: int) -> Tensor:
    """Mean of every ``(2r+1) x (2r+1)`` window of ``(B, C, H, W)`` maps, windows clipped
    at the border (each output divides by the pixels its window covers)."""
    if radius < 1:
        return x
    height, width = x.shape[-2:]
    out = _window_sum(_window_sum(x, radius, -1), radius, -2)
    ones = x.new_ones(1, 1, height, width)
    return out / _window_sum(_window_sum(ones, radius, -1), radius, -2)


def _window_sum(x: Tensor, radius: int, dim: int) -> Tensor:
    """Sum over ``[i - r, i + r]`` (clipped) along ``dim`` (-1 or -2), by a cumulative
    sum of the zero-padded maps."""
    pad = [radius + 1, radius] if dim == -1 else [0, 0, radius + 1, radius]
    cum = F.pad(x, pad).cumsum(dim)
    width = 2 * radius + 1
    return cum.narrow(dim, width, x.shape[dim]) - cum.narrow(dim, 0, x.shape[dim])


def guided_filter(guide: Tensor, src: Tensor, radius: int, eps: float,
                  scale: float = 1.0) -> Tensor:
    """Filter ``src`` guided by a colour image.

    Every output pixel is an affine function of the guide's colour, fitted in the
    windows around it (least squares, ridge ``eps``): edges of the guide are kept, flat
    regions of it smoothed.

    Args:
        guide: ``(B, 3, H, W)`` float guide image (e.g. standardised RGB).
        src: ``(B, C, H, W)`` float maps to filter.
        radius: Window radius in pixels.
        eps: Ridge term, in the guide's squared units (larger: smoother, less edge-aware).
        scale: Fit the affine coefficients on the guide and maps resized by this factor
            (area), with the radius scaled alike, and apply them at full size (the fast
            guided filter of He and Sun, 2015: ~``1 / scale**2`` cheaper).

    Returns:
        ``(B, C, H, W)`` filtered maps.
    """
    full = guide
    if scale != 1.0:
        small = [max(1, round(s * scale)) for s in guide.shape[-2:]]
        guide = F.interpolate(guide, size=small, mode='area')
        src = F.interpolate(src, size=small, mode='area')
        radius = max(1, round(radius * scale))
    batch, chans = src.shape[:2]
    size = src.shape[-2:]
    means = box_mean(torch.cat([guide, src], 1), radius)
    mean_i, mean_p = means[:, :3], means[:, 3:]
    red, green, blue = guide[:, 0:1], guide[:, 1:2], guide[:, 2:3]
    cross = (guide[:, :, None] * src[:, None]).flatten(1, 2)
    second = box_mean(torch.cat([red * red, red * green, red * blue, green * green,
                                 green * blue, blue * blue, cross], 1), radius)
    mr, mg, mb = mean_i[:, 0:1], mean_i[:, 1:2], mean_i[:, 2:3]
    vrr = second[:, 0:1] - mr * mr + eps
    vrg = second[:, 1:2] - mr * mg
    vrb = second[:, 2:3] - mr * mb
    vgg = second[:, 3:4] - mg * mg + eps
    vgb = second[:, 4:5] - mg * mb
    vbb = second[:, 5:6] - mb * mb + eps
    cov = second[:, 6:].view(batch, 3, chans, *size) - mean_i[:, :, None] * mean_p[:, None]
    # inverse of the symmetric 3x3 covariance (+ eps I) by its adjugate
    i00, i01, i02 = vgg * vbb - vgb * vgb, vgb * vrb - vrg * vbb, vrg * vgb - vgg * vrb
    i11, i12, i22 = vrr * vbb - vrb * vrb, vrb * vrg - vrr * vgb, vrr * vgg - vrg * vrg
    det = vrr * i00 + vrg * i01 + vrb * i02
    cr, cg, cb = cov[:, 0], cov[:, 1], cov[:, 2]
    a_r = (i00 * cr + i01 * cg + i02 * cb) / det
    a_g = (i01 * cr + i11 * cg + i12 * cb) / det
    a_b = (i02 * cr + i12 * cg + i22 * cb) / det
    offset = mean_p - a_r * mr - a_g * mg - a_b * mb
    coef = box_mean(torch.cat([a_r, a_g, a_b, offset], 1), radius)
    return _apply(coef, full, chans)


def _apply(coef: Tensor, guide: Tensor, chans: int) -> Tensor:
    """``a . I + b`` from the stacked mean coefficients ``(B, 4C, h, w)`` (resized to the
    guide's size when they were fitted on a smaller one)."""
    if coef.shape[-2:] != guide.shape[-2:]:
        coef = F.interpolate(coef, size=guide.shape[-2:], mode='bilinear',
                             align_corners=False)
    a_r, a_g, a_b, offset = coef.split(chans, 1)
    return a_r * guide[:, 0:1] + a_g * guide[:, 1:2] + a_b * guide[:, 2:3] + offset
