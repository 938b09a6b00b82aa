"""The streaming inference API: one frame in, one label map out (method.md §5, §7).

:class:`VideoSegmenter` keeps the state of one video (frame count, the previous frame's
label map, its size) and the :meth:`~VideoSegmenter.step` API; what is done with each
frame is the model-level :class:`~shls.models.segmentors.one_shot.OneShotCore`, the code
stage-2 training runs too. Frames are given one at a time, so a video of any length
streams.
"""
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import ContextManager, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor, nn

from shls.deployment.allocator import tune_malloc
from shls.deployment.precision import autocast_context
from shls.models.memory.flow_prior import FLOW_WEIGHT_KEYS, FlowWarper
from shls.models.segmentors.boundary_band import build_boundary_band
from shls.models.segmentors.descriptors import SuperfeatureDescriber
from shls.models.segmentors.edge_aware import build_edge_aware
from shls.models.segmentors.frame_context import FrameContext, Segmentation
from shls.models.segmentors.frame_encoder import FrameEncoder, model_device
from shls.models.segmentors.one_shot import PRESEGMENTATIONS, OneShotCore
from shls.models.segmentors.partitions import build_extra_partitions
from shls.models.segmentors.pixel_classifier import build_pixel_classifier
from shls.models.segmentors.refiner import Refiner
from shls.models.utils import check_id_mask, segment_mode
from shls.structures.ids import BACKGROUND, NUM_LABEL_BINS, VOID_ID
from shls.utils.stage_timer import StageTimer
from shls.utils.errors import InputError
from .backbone_setup import prepare_backbone
from .frame_inputs import FrameLike, check_frame, prepare_target
from .prefetch import SuperpixelPrefetcher
from .test_cfg import (DEFAULT_TEST_CFG, MODEL_TEST_CFG_KEYS, build_prompt_superpixels,
                       merge_test_cfg)
from .working_scale import resize_frame, resize_mask, upscale_labels, working_size

__all__ = ['DEFAULT_TEST_CFG', 'FrameContext', 'FrameLike', 'MODEL_TEST_CFG_KEYS',
           'PRESEGMENTATIONS', 'Segmentation', 'VideoSegmenter']


class VideoSegmenter:
    """Semi-supervised video object segmentation, one frame per :meth:`step`.

    The first frame comes with a mask (object ids, 0 = background, 255 = void): its
    superpixels are cut along the mask, labelled by the mask's mode and fitted into a
    fresh memory (``model.build_memory()``). Every later frame: superpixels ->
    superfeatures -> ``memory.query`` -> :meth:`segment` (pre-segmentation painted to
    pixels by indexing) -> :meth:`memorise` (confident superfeatures join their class's
    pool). Object ids are kept for the whole video: an object that leaves the view keeps
    its pool and its id when it comes back. Each of these steps is a method of
    :attr:`core` (:class:`~shls.models.segmentors.one_shot.OneShotCore`).

    A mask given on a later frame annotates that frame: its new ids are added to memory
    (``add_classes``), known ids get its superfeatures (``update``). With ``objects=None``
    the mask is a complete annotation (its background included); with ``objects`` only
    those ids are taken and the rest of the frame is predicted, so one object can be
    added mid-video without repainting the others. The first annotation is always
    complete (its background is taken; ids outside ``objects`` are ignored). Void pixels
    are ignored by the memory and predicted (0 on the first frame).

    A first mask without any object is allowed: the memory then holds only background
    and every frame is all background until a later mask adds objects.

    Refinement (method.md §6): when the model has a ``decoder`` and ``test_cfg.refine``
    is on, :meth:`segment` refines the pre-segmentation with a
    :class:`~shls.models.segmentors.Refiner` (per-object ROIs, decoder, Eq.-5
    aggregation); the mask is the Eq.-5 argmax and the probabilities given to
    :meth:`memorise` are the refined ones averaged per superpixel, while the pool each
    superpixel may join stays its pre-segmentation class (seed code), so a superpixel
    whose refined output disagrees with its pre-segmentation is not confident. Every
    annotated frame becomes the refiner's reference ("first") frame for all objects, its
    label map as their masks.

    Args:
        model: An ``SHLS`` model (``compute_superpixels``, ``extract_superfeatures``,
            ``data_preprocessor``, ``build_memory``, ``test_cfg``; to refine also
            ``decoder`` and ``extract_feature_maps``); put in eval mode.
        device: Move the model there first; default: where it already is.
        **test_cfg: Overrides of the model's ``test_cfg`` (keys of
            :data:`DEFAULT_TEST_CFG`).
    """

    def __init__(self, model: nn.Module, device: Optional[Union[str, torch.device]] = None,
                 **test_cfg) -> None:
        if device is not None:
            model.to(device)
        self.model = model.eval()
        self.cfg = self.merge_test_cfg(getattr(model, 'test_cfg', None) or {}, test_cfg)
        tune_malloc()  # process-wide, once: fewer page faults per frame (glibc only)
        flow = self.cfg['flow_prior']
        #: Moves the previous mask by optical flow (``test_cfg.flow_prior``), or None.
        # (check_test_cfg admits only FlowWarper's arguments besides the weights)
        self.flow_warper = (FlowWarper(**{k: v for k, v in flow.items()
                                          if k not in FLOW_WEIGHT_KEYS}) if flow else None)
        setup = prepare_backbone(model, self.device, self.cfg['autocast'],
                                 self.cfg['winograd'], self.cfg['int8'])
        #: The autocast dtype chosen for ``test_cfg.autocast`` (``None`` = float32).
        self.autocast_dtype = setup.autocast_dtype
        #: Winograd convolutions (NNPACK) in the float32 CPU backbone.
        self.winograd = setup.winograd
        #: Frames enter the backbone channels-last on a CPU (oneDNN's fast layout),
        #: unless NNPACK runs its convolutions (it takes NCHW).
        self.channels_last = setup.channels_last
        #: The backbone runs in int8 on the CPU (``test_cfg.int8``; then heads and
        #: decoder keep :attr:`autocast_dtype`).
        self.int8 = setup.int8
        #: Set a :class:`~shls.utils.stage_timer.StageTimer` to time every stage.
        self.timer: Optional[StageTimer] = None
        #: Makes masks of ``step(frame, box=...)`` (a BoxPromptToMask on first use).
        self.box_prompt = None
        #: Superpixels of a box prompt's feature split (``test_cfg.prompt_superpixels``;
        #: None = the test superpixels).
        self.prompt_superpixels = build_prompt_superpixels(self.cfg['prompt_superpixels'])
        #: Superpixels of announced frames (:meth:`prefetch`), computed in a thread.
        self._prefetcher = SuperpixelPrefetcher(lambda rgb: self.core.encoder.partitions(rgb))
        #: The per-frame algorithm and the video's memory.
        self.core = self._build_core()
        self.reset()

    def _build_core(self) -> OneShotCore:
        """The :class:`OneShotCore` of :attr:`cfg`: the model's memory, the test ROI rule,
        the descriptors of ``handcrafted`` / ``standardize_features``."""
        cfg = self.cfg
        refiner = self._build_refiner()
        describer = SuperfeatureDescriber.build(cfg['handcrafted'], cfg['learned_weight'],
                                                cfg['handcrafted_weight'],
                                                cfg['standardize_features'])
        # the no-learning variant (learned_weight=0, colour block, no decoder) skips it
        uses_backbone = not (describer.handcrafted is not None and refiner is None
                             and cfg['learned_weight'] == 0)
        band = build_boundary_band(cfg['boundary_partition'])
        pixels = build_pixel_classifier(cfg['pixel_classifier'])
        encoder = FrameEncoder(self.model, describer, with_maps=refiner is not None,
                               uses_backbone=uses_backbone, channels_last=self.channels_last,
                               autocast=self._autocast, stage=self.stage,
                               extra_partitions=build_extra_partitions(
                                   cfg['extra_partitions']),
                               boundary_partition=band.generator if band else None,
                               pixel_maps=pixels is not None)
        flow = cfg['flow_prior']
        return OneShotCore(self.model.build_memory(), encoder, refiner,
                           presegmentation=cfg['presegmentation'],
                           confidence_temperature=cfg['confidence_temperature'],
                           outlier_min_overlap=cfg['outlier_min_overlap'],
                           proximity_prior=cfg['proximity_prior'],
                           flow_weight=flow['weight'] if flow else 0.0,
                           flow_pixel_weight=flow.get('pixel_weight', 0.0) if flow else 0.0,
                           edge_aware=build_edge_aware(cfg['edge_aware']),
                           boundary_band=band, pixel_classifier=pixels,
                           decoder_context=self._autocast)

    def _build_refiner(self) -> Optional[Refiner]:
        """A :class:`Refiner` around ``model.decoder`` (``None`` without one or with
        ``test_cfg.refine=False``)."""
        decoder = getattr(self.model, 'decoder', None)
        if decoder is None or not self.cfg['refine']:
            return None
        return Refiner(decoder, use_roi=self.cfg['roi'], margin=self.cfg['roi_margin'],
                       min_side=self.cfg['roi_min_side'], min_first_box=True,
                       max_side=self.cfg['roi_max_side'])

    @classmethod
    def merge_test_cfg(cls, model_cfg: dict, overrides: dict) -> dict:
        """Defaults <- ``model_cfg`` <- ``overrides``, unknown keys and values rejected
        (:func:`shls.apis.test_cfg.merge_test_cfg`)."""
        return merge_test_cfg(model_cfg, overrides)

    # ------------------------------------------------------------------- state
    def reset(self) -> None:
        """Forget the video: empty memory, no previous frame."""
        self.core.reset()
        self._prefetcher.clear()
        self.frame_index = 0
        self._prev_mask: Optional[Tensor] = None
        self._prev_rgb: Optional[np.ndarray] = None
        self._shape = None

    @property
    def device(self) -> torch.device:
        """The model's device (where frames, features and memory live)."""
        return model_device(self.model)

    @property
    def objects(self) -> list:
        """Object ids in memory (background excluded)."""
        return self.core.objects

    @property
    def memory(self):
        """The video's superfeature memory (a ``MemoryBank``)."""
        return self.core.memory

    @property
    def refiner(self) -> Optional[Refiner]:
        """The refiner (``None``: pre-segmentation only)."""
        return self.core.refiner

    @property
    def uses_backbone(self) -> bool:
        """False for the no-learning variant (``learned_weight=0`` with a hand-crafted
        block and no decoder): the backbone is not run at all."""
        return self.core.encoder.uses_backbone

    # -------------------------------------------------------------------- step
    @torch.no_grad()
    def step(self, frame: FrameLike, mask: Optional[np.ndarray] = None,
             objects: Optional[Sequence[int]] = None, box=None) -> np.ndarray:
        """Segment the next frame of the video.

        Args:
            frame: ``(H, W, 3)`` RGB image (uint8, or float in [0, 1]); a tensor may
                also be ``(3, H, W)``.
            mask: Optional ``(H, W)`` object ids (0 = background, 255 = void) annotating
                this frame; required on the first frame.
            objects: Ids of ``mask`` to take (see the class docstring); default: all.
            box: Instead of ``mask``: one box ``(x0, y0, x1, y1)`` or a list of them, one
                per object of ``objects`` (default: the next free ids), made into a mask
                by :attr:`box_prompt` (:func:`shls.apis.box_prompt.box_mask`).

        Returns:
            ``(H, W)`` uint8 object ids.

        Raises:
            ValueError: Frame or mask of the wrong shape or values.
            RuntimeError: No mask on the first frame.
        """
        prefetched = self._prefetcher.take(frame)
        rgb = check_frame(frame, self._shape, self.frame_index)
        shape = rgb.shape[:2]
        if box is not None:
            from .box_prompt import box_mask
            mask, objects = box_mask(self, rgb, box, mask, objects)
        size = working_size(shape, self.cfg['working_scale'])
        target = trusted = None
        if mask is not None:
            mask = check_id_mask(mask, shape)
            target, trusted = prepare_target(resize_mask(mask, size), objects, self.device,
                                             first=not self.memory.is_fitted)
        elif not self.memory.is_fitted:
            raise RuntimeError('the first frame needs a mask (call reset() for a new video)')
        with self.stage('resize'):
            rgb = resize_frame(rgb, size)
        # an annotated frame's superpixels are cut along its mask: computed anew
        ctx = self.encode(rgb, target, prefetched if target is None else None)
        if target is None:
            out = self._predict(ctx, memorise=bool(self.cfg['update_memory'])).mask
        else:
            out = self._annotate(ctx, target, trusted, partial=objects is not None)
        self._prev_mask = out
        self._prev_rgb = rgb if self.flow_warper is not None else None
        self._shape = shape
        self.frame_index += 1
        with self.stage('resize'):
            return upscale_labels(out, shape).to(torch.uint8).cpu().numpy()

    def prefetch(self, frame: FrameLike) -> None:
        """Start the superpixels of ``frame``, which a later :meth:`step` will get, in a
        background thread (the stream loops of :mod:`shls.apis` announce each next frame
        so; ``test_cfg.prefetch=False`` turns it off).

        The step that gets this same frame object without a mask or box uses them; the
        masks are those of a step without prefetch. SLIC then runs beside the rest of the
        current frame (~25 ms less per 480p frame on 2 cores, natively and on AVX2; README).
        A frame that :meth:`step` would refuse is not prefetched (the step says why).
        The frame must not change before its step (keep a copy of a reused buffer).

        Args:
            frame: As for :meth:`step`.
        """
        if not self.cfg['prefetch']:
            return
        try:
            rgb = check_frame(frame, self._shape, self.frame_index)
        except ValueError:  # its step() raises the error with the frame's number
            return
        size = working_size(rgb.shape[:2], self.cfg['working_scale'])
        self._prefetcher.submit(frame, resize_frame(rgb, size))

    def stage(self, name: str) -> ContextManager:
        """Time a stage with :attr:`timer` when one is set (else a no-op)."""
        return nullcontext() if self.timer is None else self.timer(name)

    def encode(self, rgb: np.ndarray, target: Optional[Tensor] = None,
               superpixels: Optional[Future] = None) -> FrameContext:
        """Superpixels (cut along ``target`` if given) and superfeatures of a frame, with
        the previous label map (and its flow-warped version) of the video.

        The optical flow runs in a second thread beside the superpixels: both are
        single-threaded OpenCV / scikit-image code that releases the GIL, so on two
        cores the flow (~12 ms at 480p) costs no wall time; the results are those of
        running them one after the other.

        Args:
            rgb: ``(H, W, 3)`` uint8 frame at the working size.
            target: ``(H, W)`` ids of an annotated frame.
            superpixels: The frame's superpixels being computed already (a prefetch's
                future, not with ``target``); awaited beside the flow.
        """
        cut = None if target is None else target.cpu().numpy()
        if self.flow_warper is None:
            ctx = self.core.encode(rgb, cut, self.frame_index, *self._await(superpixels))
            warped = untraced = None
        else:  # _warp_previous gives (None, None) without a previous frame
            with ThreadPoolExecutor(1) as pool:
                future = pool.submit(self._warp_previous, rgb)
                ctx = self.core.encode(rgb, cut, self.frame_index,
                                       *self._await(superpixels))
                warped, untraced = future.result()
        ctx.prev_mask = self._prev_mask
        ctx.warped_mask = warped
        ctx.untraced = untraced
        return ctx

    def _await(self, superpixels: Optional[Future]
               ) -> Tuple[Optional[np.ndarray], Optional[List[np.ndarray]]]:
        """A prefetch's label maps, main and extra partitions (``(None, None)`` without a
        prefetch; the wait is timed as ``superpixels``)."""
        if superpixels is None:
            return None, None
        with self.stage('superpixels'):
            return superpixels.result()

    def _warp_previous(self, rgb: np.ndarray) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        """The previous mask moved onto ``rgb`` by optical flow and the pixels the flow
        cannot trace (``flow_prior.occlusion_check``; else ``None``); ``(None, None)``
        without ``test_cfg.flow_prior`` or a previous frame."""
        if self.flow_warper is None or self._prev_rgb is None or self._prev_mask is None:
            return None, None
        with self.stage('flow_prior'):
            prev = self._prev_mask.to(torch.uint8).cpu().numpy()
            warped, untraced = self.flow_warper.warp(prev, self._prev_rgb, rgb)
            return (torch.from_numpy(warped).to(self.device, torch.int64),
                    None if untraced is None else torch.from_numpy(untraced).to(self.device))

    def _autocast(self) -> ContextManager:
        """``torch.autocast`` with :attr:`autocast_dtype` (a no-op for float32)."""
        return autocast_context(self.device, self.autocast_dtype)

    # -------------------------------------------------- prediction (override seam)
    def segment(self, ctx: FrameContext) -> Segmentation:
        """Turn the frame's memory readout into a label map and class probabilities.

        The extension point (override or extend it); :meth:`memorise` consumes the
        result. Here: :meth:`presegment`, then :meth:`refine` when there is a refiner.

        Args:
            ctx: The frame, with ``readout`` set.

        Returns:
            :class:`Segmentation`.
        """
        seg = self.presegment(ctx)
        return seg if self.refiner is None else self.refine(ctx, seg)

    def presegment(self, ctx: FrameContext) -> Segmentation:
        """The pre-segmentation (:meth:`OneShotCore.presegment`)."""
        return self.core.presegment(ctx)

    def refine(self, ctx: FrameContext, pre: Segmentation) -> Segmentation:
        """Refine a pre-segmentation in ROIs around it (:meth:`OneShotCore.refine`)."""
        return self.core.refine(ctx, pre)

    def memorise(self, ctx: FrameContext, seg: Segmentation) -> None:
        """Add the confident superfeatures of a predicted frame to their class pools."""
        self.core.memorise(ctx, seg)

    def _predict(self, ctx: FrameContext, memorise: bool) -> Segmentation:
        with self.stage('memory_query'):
            self.core.query(ctx)
        with self.stage('segment'):
            seg = self.segment(ctx)
        if memorise:
            with self.stage('memory_update'):
                self.memorise(ctx, seg)
        return seg

    # ------------------------------------------------------------- annotation
    def _annotate(self, ctx: FrameContext, target: Tensor, trusted: Tensor,
                  partial: bool) -> Tensor:
        """Write an annotated frame into memory; returns its label map."""
        labels = segment_mode(ctx.superpixels, target, len(ctx.features), NUM_LABEL_BINS,
                              VOID_ID)
        labelled = labels != VOID_ID
        if not bool(labelled.any()):
            raise InputError('the mask labels no pixel (all void / ignored)')
        out = torch.zeros_like(target)
        if not self.memory.is_fitted:
            partial = False
        elif not bool(trusted.all()):
            out = self._predict(ctx, memorise=False).mask
        self.core.write_annotation(ctx.features[labelled], labels[labelled])
        out = torch.where(trusted, target, out)
        if partial:  # given objects exist only where the annotation puts them
            given = torch.unique(target[trusted])
            out[torch.isin(out, given) & ~trusted] = BACKGROUND
        self.core.start_refiner(ctx, out)
        self.core.fit_pixel_classifier(ctx, out)
        return out
