"""The one-shot segmentation core: what SHLS does with ONE frame (method.md §5-§6).

:class:`OneShotCore` owns a video's (or a training clip's) memory, refiner and descriptor
statistics, and the per-frame steps: encode -> :meth:`~OneShotCore.query` ->
:meth:`~OneShotCore.presegment` -> :meth:`~OneShotCore.refine` ->
:meth:`~OneShotCore.memorise`. The streaming API (:class:`shls.apis.VideoSegmenter`) and
stage-2 training (:func:`~shls.models.segmentors.refine_loss.clip_refine_loss`) both run
these methods; they differ only in where ROIs come from and in training augmentations.
"""
from contextlib import nullcontext
from functools import partial
from typing import Callable, ContextManager, List, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from shls.structures.ids import BACKGROUND, NUM_LABEL_BINS
from shls.utils.errors import ConfigError
from ..memory import (MemoryBank, MemoryReadout, eq4_scores, filter_vote_outliers,
                      memorise_confident, proximity_penalty)
from ..memory.flow_pixel_prior import blend_warped_mask
from ..memory.flow_prior import flow_prior_scores
from ..utils import paint, segment_mode
from .boundary_band import BoundaryBand, mix_in_band, object_band
from .edge_aware import EdgeAware
from .frame_context import FrameContext, Segmentation
from .frame_encoder import FrameEncoder
from .partitions import mean_painted
from .pixel_classifier import PixelVote, RidgePixelClassifier
from .refiner import Refiner, object_masks

#: Pre-segmentation rules: ``'eq4'``, the argmax of the paper's Eq. 4; ``'vote'``, the
#: seed code's painted KNN vote with the blob / convex-hull outlier filter.
PRESEGMENTATIONS = ('eq4', 'vote')


class OneShotCore:
    """Per-frame segmentation with a superfeature memory and an optional refiner.

    Args:
        memory: A fresh memory (e.g. from ``SHLS.build_memory()``).
        encoder: Turns frames (or precomputed maps) into :class:`FrameContext`.
        refiner: A :class:`Refiner` around the model's decoder, or ``None``
            (pre-segmentation only).
        presegmentation: One of :data:`PRESEGMENTATIONS`.
        confidence_temperature: Pre-segmentation probabilities are
            ``softmax(Eq.-4 scores / T)``.
        outlier_min_overlap: ``'vote'`` only: fraction of an object's previous mask a
            kept blob must overlap.
        proximity_prior: ``dict(margin=m, weight=w)`` subtracted from the Eq.-4 scores
            (:func:`~shls.models.memory.proximity_penalty`), or ``None``.
        flow_weight: Weight of the optical-flow prior added to the Eq.-4 scores of frames
            that carry a ``warped_mask``.
        flow_pixel_weight: With ``edge_aware``: the ``warped_mask`` also joins the
            per-pixel probabilities before it with this weight
            (:func:`~shls.models.memory.flow_pixel_prior.blend_warped_mask`); 0 = not.
        edge_aware: ``'eq4'`` only: turns the superpixel probabilities into the pixel
            mask along the frame's edges (e.g.
            :class:`~shls.models.segmentors.edge_aware.GuidedFilterMask`), for frames
            that carry their ``image``; ``None``: the superpixel labels are painted.
        boundary_band: ``'eq4'`` only: where a finer partition of the frame
            (:attr:`FrameContext.boundary`) joins the probabilities, along the objects'
            boundaries (:mod:`~shls.models.segmentors.boundary_band`); ``None``: nowhere.
        pixel_classifier: ``'eq4'`` only: a per-video classifier of the frame's pixels,
            fitted on annotated frames (:meth:`fit_pixel_classifier`), whose
            probabilities join along the objects' boundaries
            (:mod:`~shls.models.segmentors.pixel_classifier`); ``None``: off.
        decoder_context: Context around the refinement decoder (e.g. autocast).
    """

    def __init__(self, memory: MemoryBank, encoder: FrameEncoder,
                 refiner: Optional[Refiner] = None, presegmentation: str = 'eq4',
                 confidence_temperature: float = 0.1, outlier_min_overlap: float = 0.05,
                 proximity_prior: Optional[dict] = None, flow_weight: float = 0.0,
                 flow_pixel_weight: float = 0.0, edge_aware: Optional[EdgeAware] = None,
                 boundary_band: Optional[BoundaryBand] = None,
                 pixel_classifier: Optional[RidgePixelClassifier] = None,
                 decoder_context: Callable[[], ContextManager] = nullcontext) -> None:
        if presegmentation not in PRESEGMENTATIONS:
            raise ConfigError(f'presegmentation must be one of {PRESEGMENTATIONS}, got '
                              f'{presegmentation!r}')
        self.memory = memory
        self.encoder = encoder
        self.refiner = refiner
        self.presegmentation = presegmentation
        self.confidence_temperature = float(confidence_temperature)
        self.outlier_min_overlap = float(outlier_min_overlap)
        self.proximity_prior = proximity_prior
        self.flow_weight = flow_weight
        self.flow_pixel_weight = float(flow_pixel_weight)
        self.edge_aware = edge_aware
        self.boundary_band = boundary_band
        self.pixel_classifier = pixel_classifier
        self.decoder_context = decoder_context

    # ------------------------------------------------------------------- state
    def reset(self) -> None:
        """Forget the video: empty memory, no reference frame, no statistics."""
        self.memory.reset()
        self.encoder.reset()
        if self.refiner is not None:
            self.refiner.reset()
        if self.pixel_classifier is not None:
            self.pixel_classifier.reset()

    @property
    def object_ids(self) -> Tensor:
        """``(K,)`` int64 ids of the objects in memory, ascending (memory fitted)."""
        classes = self.memory.classes
        return classes[classes != BACKGROUND]

    @property
    def objects(self) -> List[int]:
        """Object ids in memory (background excluded); ``[]`` before the first frame."""
        return self.object_ids.tolist() if self.memory.is_fitted else []

    # ------------------------------------------------------------------ encode
    def encode(self, rgb: np.ndarray, cut: Optional[np.ndarray] = None,
               index: int = 0, superpixels: Optional[np.ndarray] = None,
               extra: Optional[Sequence[np.ndarray]] = None) -> FrameContext:
        """Encode an RGB frame (:meth:`FrameEncoder.encode`)."""
        return self.encoder.encode(rgb, cut, index, superpixels, extra)

    # ---------------------------------------------------------- annotated frame
    def write_annotation(self, features: Tensor, labels: Tensor) -> None:
        """Ground-truth superfeatures into memory (no confidence filter).

        An unfitted memory is fitted on them; otherwise new ids are added
        (``add_classes``) and known ids updated (``update``). Features are detached.

        Args:
            features: ``(N, D)`` superfeatures of labelled superpixels.
            labels: ``(N,)`` int64 class ids.
        """
        features = features.detach()
        if not self.memory.is_fitted:
            self.memory.fit(features, labels)
            return
        known = torch.isin(labels, self.memory.classes.to(labels.device))
        if bool(known.any()):
            self.memory.update(features[known], labels[known])
        if bool((~known).any()):
            self.memory.add_classes(features[~known], labels[~known])

    def start_refiner(self, ctx: FrameContext, label_map: Tensor) -> None:
        """Make an annotated frame the refiner's reference frame for every object in
        memory (a no-op without refiner).

        Args:
            ctx: The frame (with decoder maps).
            label_map: ``(H, W)`` int64 object ids of the frame.
        """
        if self.refiner is None:
            return
        self.refiner.start(ctx.l1, ctx.l4, ctx.superpixels, self.memory.query(ctx.features),
                           label_map, self.object_ids)

    def fit_pixel_classifier(self, ctx: FrameContext, label_map: Tensor) -> None:
        """Fit the pixel classifier to an annotated frame over the memory's classes (a
        no-op without one or without the frame's backbone maps).

        Args:
            ctx: The frame (with :attr:`FrameContext.pixel_maps`).
            label_map: ``(H, W)`` int64 object ids of the frame.
        """
        if self.pixel_classifier is None or ctx.pixel_maps is None:
            return
        self.pixel_classifier.fit(ctx.pixel_maps, label_map, self.memory.classes)

    # ------------------------------------------------------------ later frames
    def query(self, ctx: FrameContext) -> MemoryReadout:
        """Score the frame's superfeatures against memory; sets ``ctx.readout`` (and the
        read-out of each extra partition)."""
        ctx.readout = self.memory.query(ctx.features)
        for part in ctx.extra:
            part.readout = self.memory.query(part.features)
        return ctx.readout

    def presegment(self, ctx: FrameContext) -> Segmentation:
        """The pre-segmentation (:attr:`presegmentation`) with
        ``softmax(Eq.-4 scores / confidence_temperature)`` as probabilities (the mask
        by :attr:`edge_aware` when set). With extra partitions (``'eq4'`` only) the
        mask comes from the probabilities of all partitions averaged per pixel, with
        :attr:`boundary_band` the finer partition's too along the objects' boundaries,
        then :attr:`pixel_classifier`'s there; labels and probabilities stay the main
        partition's."""
        readout = ctx.readout
        scores = self._scores(ctx, ctx.superpixels, readout)
        probs = torch.softmax(scores / self.confidence_temperature, dim=1)
        if self.presegmentation == 'eq4':
            labels = readout.classes[scores.argmax(dim=1)]
            extra = [(part.superpixels, torch.softmax(
                self._scores(ctx, part.superpixels, part.readout)
                / self.confidence_temperature, dim=1)) for part in ctx.extra]
            priors = []
            if self.boundary_band is not None and ctx.boundary is not None:
                priors.append(partial(self._mix_boundary, ctx, partitions=1 + len(extra)))
            vote = self._pixel_vote(ctx)
            if vote is not None:
                priors.append(vote.before)
            if self.edge_aware is not None and ctx.image is not None:
                if self.flow_pixel_weight > 0 and ctx.warped_mask is not None:
                    priors.append(partial(
                        blend_warped_mask, warped=ctx.warped_mask, classes=readout.classes,
                        weight=self.flow_pixel_weight, untraced=ctx.untraced))
                options = dict(extra=extra) if extra else {}
                if priors:
                    options['prior'] = partial(_chain, priors)
                if vote is not None:
                    options['post'] = vote.after
                mask = self.edge_aware(ctx.image, ctx.superpixels, probs, **options)
                return Segmentation(readout.classes[mask], labels, probs)
            if not extra and not priors:
                return Segmentation(paint(labels, ctx.superpixels), labels, probs)
            mean = _chain(priors, mean_painted([(ctx.superpixels, probs), *extra]))
            if vote is not None:
                mean = vote.after(mean)
            mask = readout.classes[mean.permute(1, 2, 0).contiguous().argmax(dim=-1)]
            return Segmentation(mask, labels, probs)
        mask = paint(readout.vote, ctx.superpixels)
        if ctx.prev_mask is not None:
            objects = readout.classes[readout.classes != BACKGROUND].tolist()
            mask = filter_vote_outliers(mask, ctx.prev_mask, objects,
                                        self.outlier_min_overlap, BACKGROUND)
        labels = segment_mode(ctx.superpixels, mask, len(ctx.features), NUM_LABEL_BINS)
        return Segmentation(mask, labels, probs)

    def _scores(self, ctx: FrameContext, superpixels: Tensor,
                readout: MemoryReadout, rows: Optional[Tensor] = None) -> Tensor:
        """``(M, C)`` Eq.-4 scores of one partition of the frame (its superpixels and
        read-out) with the proximity and flow priors; with ``rows``, the read-out is of
        those superpixels only and so are the scores."""
        scores = eq4_scores(readout.short, readout.long)
        count = scores.shape[0] if rows is None else int(superpixels.max()) + 1
        pick = (lambda x: x) if rows is None else (lambda x: x[rows])
        prior = self.proximity_prior
        if prior and ctx.prev_mask is not None:
            scores = scores - pick(proximity_penalty(superpixels, ctx.prev_mask,
                                                     readout.classes, count,
                                                     background=BACKGROUND, **prior))
        if ctx.warped_mask is not None:
            scores = scores + self.flow_weight * pick(flow_prior_scores(
                superpixels, ctx.warped_mask, readout.classes, count, ctx.untraced))
        return scores

    def _pixel_vote(self, ctx: FrameContext) -> Optional[PixelVote]:
        """The pixel classifier's say on the frame (``None``: it has none)."""
        if self.pixel_classifier is None or ctx.pixel_maps is None:
            return None
        return self.pixel_classifier.vote(ctx.pixel_maps, ctx.readout.classes,
                                          ctx.superpixel_area)

    def _mix_boundary(self, ctx: FrameContext, maps: Tensor, partitions: int) -> Tensor:
        """The finer partition's probabilities joined to ``(C', H, W)`` painted ``maps``
        (the first ``C'`` classes; the last one implied when ``C' < C``) within the band
        along the objects' boundaries; only its superpixels there are scored."""
        band_cfg, part = self.boundary_band, ctx.boundary
        band = object_band(maps, ctx.readout.classes, band_cfg.width,
                           band_cfg.min_object_side ** 2 * ctx.superpixel_area)
        rows = torch.unique(part.superpixels[band])
        if not len(rows):
            return maps
        readout = self.memory.query(part.features[rows])
        probs = torch.softmax(self._scores(ctx, part.superpixels, readout, rows)
                              / self.confidence_temperature, dim=1)
        table = probs.new_zeros(int(part.superpixels.max()) + 1, len(maps))
        table[rows] = probs[:, :len(maps)]
        return mix_in_band(maps, band, table.T[:, part.superpixels], partitions,
                           band_cfg.share)

    def rois(self, label_map: Tensor) -> Tensor:
        """``(K, 4)`` ROIs of the refiner's objects in an ``(H, W)`` label map
        (:meth:`Refiner.rois`)."""
        return self.refiner.rois(object_masks(label_map, self.refiner.object_ids))

    def refine(self, ctx: FrameContext, pre: Segmentation,
               boxes: Optional[Tensor] = None) -> Segmentation:
        """Refine a pre-segmentation (method.md §6).

        The decoder runs on every object's ROI and Eq. 5 aggregates the objects. The
        result's mask is the Eq.-5 argmax, its labels the pre-segmentation's (the pool
        each superpixel may join) and its probabilities the refined ones averaged per
        superpixel; ``refined`` holds the logits.

        Args:
            ctx: The frame, with decoder maps and ``readout``.
            pre: Its pre-segmentation.
            boxes: ``(K, 4)`` ROIs; default: :meth:`rois` of ``pre.mask`` (test time).
        """
        if boxes is None:
            boxes = self.rois(pre.mask)
        with self.decoder_context():
            out = self.refiner.step(ctx.l1, ctx.l4, ctx.superpixels, ctx.readout, boxes)
        probs = out.superpixel_probs(ctx.superpixels, len(ctx.features), ctx.readout.classes)
        return Segmentation(out.mask(), pre.labels, probs, out)

    def memorise(self, ctx: FrameContext, seg: Segmentation) -> None:
        """Add the confident superfeatures of a segmented frame to their class pools
        (:func:`~shls.models.memory.memorise_confident`; detached)."""
        memorise_confident(self.memory, ctx.features.detach(), seg.labels,
                           seg.probs.detach())


def _chain(steps: Sequence[Callable[[Tensor], Tensor]], maps: Tensor) -> Tensor:
    """``maps`` through each step in turn."""
    for step in steps:
        maps = step(maps)
    return maps
