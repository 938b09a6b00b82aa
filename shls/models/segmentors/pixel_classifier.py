"""A per-video pixel classifier along the objects' boundaries (``test_cfg.pixel_classifier``).

Not in the paper. Superpixels 10-20 px across cannot hold a leg, a rope or the edge of a
shadow; the backbone's maps can, at their own stride. On an annotated frame a linear
classifier of pixels is fitted by ridge regression (closed form, one solve) to the
one-hot classes of the pixels near the objects' boundaries, from the backbone's L1 map
(stride 2), its L4 map (stride 4, upsampled) and the frame's colour. On every predicted
frame its class probabilities replace a share ``weight`` of the superpixels' within
``width`` pixels of each object's boundary before the edge-aware filter, and a share
``post_weight`` of the filtered ones after it (0 in the shipped settings: it keeps some
parts thinner than the filter's window but scatters specks elsewhere; README, "Since
commit 7ad747d"). With ``inner_weight`` they also take a share of the probabilities
inside the objects beyond that band where the classifier is confident (its most probable
class above ``inner_min_confidence``), so background seen through an object (between a
boat's cabin and its mast, a motorbike's wheels) can open where the superpixels fill it
(README, "Since commit 6019454").

Every step is linear up to the clamp of the scores, so the classifier is applied as 1x1
projections of each map at its own resolution (the standardisation folded into the
weights) and only the ``C`` class maps are upsampled.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import MODELS, build_component
from shls.utils.errors import ConfigError
from .boundary_band import object_band, object_band_and_inside

EXAMPLE = "dict(type='RidgePixelClassifier', weight=0.5)"


@dataclass(frozen=True)
class PixelMaps:
    """What the classifier reads of one frame.

    Attributes:
        l1: ``(1, C1, h, w)`` the backbone's first map (float32).
        l4: ``(1, C4, h4, w4)`` its deepest map (float32).
        image: ``(1, 3, H, W)`` the normalised frame.
    """

    l1: Tensor
    l4: Tensor
    image: Tensor


@dataclass(frozen=True)
class _Fit:
    """A fitted classifier: ``scores = W1 l1 + up(W4 l4) + Wc down(image) + b``."""

    classes: Tensor
    w1: Tensor
    w4: Tensor
    wc: Tensor
    bias: Tensor


def fit_pixels(labels: Tensor, classes: Tensor, width: int) -> Tensor:
    """``(h, w)`` bool: the pixels a fit learns from, those of a class in ``classes``
    with another label within an elliptic window of half-side ``width`` (void and
    unknown labels are left out)."""
    values = labels.cpu().numpy().astype(np.float32)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1,) * 2)
    ring = torch.from_numpy(cv2.dilate(values, kernel) != cv2.erode(values, kernel))
    return ring.to(labels.device) & torch.isin(labels, classes.to(labels.device))


def _colour(image: Tensor, size: Tuple[int, int]) -> Tensor:
    """The frame area-averaged to ``size``, float32."""
    return F.interpolate(image.float(), size=size, mode='area')


@MODELS.register_module()
class RidgePixelClassifier:
    """Ridge-regression pixel classifier of one video, mixed in along boundaries.

    Args:
        weight: Share of the pixel probabilities in the band before the edge-aware
            filter (0: none, 1: they replace the superpixels' there).
        post_weight: Share of the pixel probabilities in the band after the edge-aware
            filter (``test_cfg.edge_aware``; without one, a second mix of the same
            maps), so that parts thinner than the filter's window can stay.
        width: Pixels on each side of an object's boundary where they count (full
            frame resolution, square window).
        min_object_side: Objects smaller than this many mean superpixel sides
            (``sqrt(area)``) get no band.
        fit_width: Pixels on each side of the annotated boundaries (full resolution)
            whose classes are fitted.
        ridge: Ridge term per 1,000 fitted pixels, in units of the standardised
            features' variance.
        use_l4: Also read the deepest backbone map (upsampled to L1's stride).
        inner_weight: Share of the pixel probabilities inside the objects beyond the
            band (pixels of an object of at least ``min_object_side`` farther than
            ``width`` from its boundary) before the edge-aware filter; 0: none.
        inner_min_confidence: Inside the objects only pixels whose most probable
            class has a higher probability than this get the inner share.
    """

    def __init__(self, weight: float = 0.5, post_weight: float = 0.0, width: int = 12,
                 min_object_side: float = 5.0, fit_width: int = 24, ridge: float = 1.0,
                 use_l4: bool = True, inner_weight: float = 0.0,
                 inner_min_confidence: float = 0.8) -> None:
        for name, value in (('weight', weight), ('post_weight', post_weight),
                            ('inner_weight', inner_weight),
                            ('inner_min_confidence', inner_min_confidence)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    0 <= value <= 1):
                raise ConfigError(f'RidgePixelClassifier.{name} must be in [0, 1], got '
                                  f'{value!r}')
        for name, value in (('width', width), ('fit_width', fit_width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f'RidgePixelClassifier.{name} must be an int >= 1, got '
                                  f'{value!r}')
        if not (min_object_side >= 0 and ridge > 0):
            raise ConfigError(f'RidgePixelClassifier needs min_object_side >= 0 and '
                              f'ridge > 0, got {min_object_side!r}, {ridge!r}')
        self.weight = float(weight)
        self.post_weight = float(post_weight)
        self.width = width
        self.min_object_side = float(min_object_side)
        self.fit_width = fit_width
        self.ridge = float(ridge)
        self.use_l4 = bool(use_l4)
        self.inner_weight = float(inner_weight)
        self.inner_min_confidence = float(inner_min_confidence)
        self._fit: Optional[_Fit] = None

    def reset(self) -> None:
        """Forget the video's classifier."""
        self._fit = None

    @property
    def is_fitted(self) -> bool:
        """Whether an annotated frame has been fitted."""
        return self._fit is not None

    # ------------------------------------------------------------------- fit
    def features(self, maps: PixelMaps) -> Tensor:
        """``(D, h, w)`` per-pixel features at L1's stride: L1, L4 (bilinear), colour."""
        size = maps.l1.shape[-2:]
        parts = [maps.l1.float()]
        if self.use_l4:
            parts.append(F.interpolate(maps.l4.float(), size=size, mode='bilinear',
                                       align_corners=False))
        parts.append(_colour(maps.image, size))
        return torch.cat(parts, dim=1)[0]

    @torch.no_grad()
    def fit(self, maps: PixelMaps, label_map: Tensor, classes: Tensor) -> None:
        """Fit the classifier to an annotated frame (replacing any earlier fit).

        Args:
            maps: The frame's backbone maps and image.
            label_map: ``(H, W)`` int64 class ids of the frame.
            classes: ``(C,)`` the memory's classes (background included), the columns
                of every later prediction.
        """
        feats = self.features(maps)
        size = feats.shape[-2:]
        small = F.interpolate(label_map[None, None].float(), size=size,
                              mode='nearest')[0, 0].long().cpu()
        stride = label_map.shape[-1] / size[-1]
        ring = fit_pixels(small, classes, max(1, round(self.fit_width / stride))).to(feats.device)
        if not bool(ring.any()):  # one class everywhere: nothing to separate
            self._fit = None
            return
        x = feats.permute(1, 2, 0)[ring]
        mean, std = x.mean(dim=0), x.std(dim=0).clamp_min(1e-3)
        x = torch.cat([(x - mean) / std, x.new_ones(len(x), 1)], dim=1)
        y = (small.to(feats.device)[ring][:, None] == classes[None].to(feats.device)).float()
        ridge = self.ridge * len(x) / 1000 * torch.eye(x.shape[1], device=x.device)
        weights = torch.linalg.solve(x.T @ x + ridge, x.T @ y)  # (D + 1, C)
        scaled = weights[:-1] / std[:, None]
        bias = weights[-1] - mean @ scaled
        c1 = maps.l1.shape[1]
        c4 = maps.l4.shape[1] if self.use_l4 else 0
        self._fit = _Fit(classes.clone(), scaled[:c1].T.contiguous(),
                         scaled[c1:c1 + c4].T.contiguous(), scaled[c1 + c4:].T.contiguous(),
                         bias)

    # --------------------------------------------------------------- predict
    @torch.no_grad()
    def probabilities(self, maps: PixelMaps) -> Tensor:
        """``(C, H, W)`` class probabilities of a frame (clamped scores, rows summing to
        1), computed at L1's stride and upsampled bilinearly to the frame."""
        fit = self._fit
        size = maps.l1.shape[-2:]
        scores = torch.einsum('kc,chw->khw', fit.w1, maps.l1[0].float())
        if self.use_l4:
            deep = torch.einsum('kc,chw->khw', fit.w4, maps.l4[0].float())
            scores += F.interpolate(deep[None], size=size, mode='bilinear',
                                    align_corners=False)[0]
        scores += torch.einsum('kc,chw->khw', fit.wc, _colour(maps.image, size)[0])
        probs = (scores + fit.bias[:, None, None]).clamp(0, 1)
        probs = probs / probs.sum(dim=0, keepdim=True).clamp_min(1e-6)
        return F.interpolate(probs[None], size=maps.image.shape[-2:], mode='bilinear',
                             align_corners=False)[0]

    def vote(self, pixel_maps: PixelMaps, classes: Tensor,
             superpixel_area: float) -> Optional['PixelVote']:
        """The classifier's say on one frame, or ``None`` when it has none: not fitted,
        fitted to other classes (an object added since) or every share 0.

        Args:
            pixel_maps: The frame's backbone maps and image.
            classes: ``(C,)`` the read-out's classes.
            superpixel_area: Mean superpixel area of the main partition (pixels).
        """
        fit = self._fit
        if (fit is None or self.weight == self.post_weight == self.inner_weight == 0
                or not torch.equal(fit.classes.to(classes.device), classes)):
            return None
        return PixelVote(self, pixel_maps, classes, self.min_object_side ** 2 * superpixel_area)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(weight={self.weight}, '
                f'post_weight={self.post_weight}, width={self.width}, '
                f'min_object_side={self.min_object_side}, fit_width={self.fit_width}, '
                f'ridge={self.ridge}, use_l4={self.use_l4}, '
                f'inner_weight={self.inner_weight}, '
                f'inner_min_confidence={self.inner_min_confidence})')


class PixelVote:
    """The pixel classifier's probabilities on one frame and where they count.

    The band (and with ``inner_weight`` the objects' inside beyond it, where the
    classifier is confident) is found by :meth:`before`, from the maps it mixes into
    (the objects in the superpixels' mask), and :meth:`after` uses the same band. The
    probabilities are computed once, when a region first needs them.

    Args:
        classifier: A fitted classifier (its shares and band width).
        pixel_maps: The frame's backbone maps and image.
        classes: ``(C,)`` the read-out's classes.
        min_area: Objects smaller than this (pixels) get no band.
    """

    def __init__(self, classifier: RidgePixelClassifier, pixel_maps: PixelMaps,
                 classes: Tensor, min_area: float) -> None:
        self.classifier = classifier
        self.pixel_maps = pixel_maps
        self.classes = classes
        self.min_area = min_area
        self.band: Optional[Tensor] = None
        self.inside: Optional[Tensor] = None
        self._probs: Optional[Tensor] = None

    @property
    def probs(self) -> Tensor:
        """``(C, H, W)`` the classifier's probabilities of the frame."""
        if self._probs is None:
            self._probs = self.classifier.probabilities(self.pixel_maps)
        return self._probs

    def before(self, maps: Tensor) -> Tensor:
        """Find the band in ``(C', H, W)`` per-pixel probabilities of the first ``C'``
        classes (the last one implied when ``C' < C``) and mix in ``weight`` there (and
        ``inner_weight`` inside the objects beyond it, where the classifier is confident)."""
        classifier = self.classifier
        if classifier.inner_weight > 0:
            self.band, inside = object_band_and_inside(
                maps, self.classes, classifier.width, self.min_area)
            if bool(inside.any()):
                inside &= self.probs.max(dim=0).values > classifier.inner_min_confidence
            self.inside = inside
        else:
            self.band = object_band(maps, self.classes, classifier.width, self.min_area)
        maps = self._mix(maps, self.band, classifier.weight)
        return self._mix(maps, self.inside, classifier.inner_weight)

    def after(self, maps: Tensor) -> Tensor:
        """Mix ``post_weight`` into the ``(C, H, W)`` filtered probabilities in the band
        :meth:`before` found (nothing before it ran)."""
        return self._mix(maps, self.band, self.classifier.post_weight)

    def _mix(self, maps: Tensor, region: Optional[Tensor], weight: float) -> Tensor:
        if region is None or weight == 0 or not bool(region.any()):
            return maps
        pixels = self.probs[:len(maps)]
        return torch.where(region[None], (1 - weight) * maps + weight * pixels, maps)


def build_pixel_classifier(cfg: Optional[dict]) -> Optional[RidgePixelClassifier]:
    """The ``test_cfg.pixel_classifier`` component (``None`` when off).

    Raises:
        ConfigError: Not a dict with a ``type``, an unregistered type or a bad argument.
    """
    if cfg is None:
        return None
    return build_component(cfg, 'test_cfg.pixel_classifier', EXAMPLE)
