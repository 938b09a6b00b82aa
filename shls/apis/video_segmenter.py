"""The streaming inference core: one frame in, one label map out (method.md §5, §7).

:class:`VideoSegmenter` holds the superfeature memory of one video and only the previous
frame's label map; frames are given one at a time, so a video of any length streams.
"""
import copy
from dataclasses import dataclass
from contextlib import nullcontext
from typing import ContextManager, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor, nn

from shls.models.memory import (MemoryReadout, eq4_scores, filter_vote_outliers,
                                memorise_confident, proximity_penalty)
from shls.models.segmentors.refiner import Refiner, object_masks
from shls.models.superpixels import to_rgb_uint8
from shls.models.utils import BlockStandardizer, check_id_mask, paint, segment_mode
from shls.registry import MODELS
from shls.utils.keys import check_known_keys
from shls.utils.stage_timer import StageTimer
from shls.deployment.precision import (autocast_context, check_precision_setting,
                                       resolve_autocast)
from shls.deployment.winograd import use_winograd
from shls.models.memory.flow_prior import FlowWarper, check_flow_prior, flow_prior_scores
from shls.structures.ids import BACKGROUND, NUM_LABEL_BINS, VOID_ID
from .working_scale import resize_frame, resize_mask, upscale_labels, working_size

PRESEGMENTATIONS = ('eq4', 'vote')

#: Inference options read from ``model.test_cfg`` (then from keyword overrides).
DEFAULT_TEST_CFG = dict(
    # 'eq4': argmax of S_k + L_k - max_{l!=k} S_l - max_{l!=k} L_l (paper, Eq. 4);
    # 'vote': the seed code's painted KNN vote + blob / convex-hull outlier filter.
    presegmentation='eq4',
    # 'vote' only: fraction of an object's previous mask a kept blob must overlap.
    outlier_min_overlap=0.05,
    # Class probabilities = softmax(Eq.-4 scores / T); they choose the confident
    # superfeatures that enter memory (MemoryBank.confidence_thr / _relative).
    confidence_temperature=0.1,
    # Add confident superfeatures of each predicted frame to memory.
    update_memory=True,
    # Centre the superfeatures and scale them to unit spread with the first frame's
    # statistics before the memory compares them by cosine.
    standardize_features=False,
    # A training-free descriptor concatenated to every superfeature, e.g.
    # dict(type='SuperpixelColourStats'); both blocks are then standardised.
    handcrafted=None,
    # Weights of the learned and the hand-crafted blocks after standardisation
    # (learned_weight=0 with a hand-crafted block and no decoder: the backbone is skipped,
    # the no-learning variant).
    learned_weight=1.0,
    handcrafted_weight=1.0,
    # Refine with the model's decoder when it has one (False: pre-segmentation only,
    # the same checkpoint; Table 1 ablation).
    refine=True,
    # Decode each object in its ROI; False: every object on the whole frame ("without
    # ROI" ablation).
    roi=True,
    # ROI = pre-segmentation box enlarged by roi_margin (0.3 = 15 % per side), never
    # smaller than the object's frame-0 ROI; sides below roi_min_side of the frame span
    # the whole frame; an empty pre-segmentation gives the whole frame.
    roi_margin=0.3,
    roi_min_side=0.05,
    # Decode ROIs with a longer side above this many pixels shrunk to it, logits resized
    # back (None: at full size, the paper). 256 = the size of the training clips.
    roi_max_side=None,
    # Segment at this fraction of the frame size (1.0 = native): frames and given masks
    # are resized down (area / nearest), the label maps back up (nearest). 0.5 at 480p
    # runs the whole pipeline at 240p, ~3-4x faster on a CPU.
    working_scale=1.0,
    # Mixed precision of the backbone, heads and decoder (shls.deployment.precision): False =
    # float32; 'auto' = float16 on CUDA, bfloat16 on a CPU only where a start-up probe
    # measures it faster than float32 (native bf16 kernels, e.g. AVX512-BF16), else
    # float32; True = forced (bfloat16 on a CPU, float16 on CUDA). Superfeatures are cast
    # back to float32 before the memory.
    autocast=False,
    # Float32 on a CPU: stride-1 3x3 convolutions of the backbone through NNPACK's
    # Winograd transform where this PyTorch has NNPACK and each layer measures it faster
    # (shls.deployment.winograd; -6 to -14 % backbone time at 480p on 2 cores, relative
    # error ~1e-6); False = oneDNN only.
    winograd=True,
    # Temporal prior (not in the paper): dict(margin=m, weight=w) lowers object k's Eq.-4
    # score of a superpixel by w per object size (sqrt of k's area) that its centre lies
    # beyond m object sizes from k's mask in the previous frame
    # (shls.models.memory.proximity_prior); None = off.
    proximity_prior=None,
    # Motion prior (not in the paper): dict(weight=w, scale=s) adds w times the fraction
    # of each superpixel that the previous mask, moved by DIS optical flow computed at
    # s of the frame size, gives to each class, to its Eq.-4 scores
    # (shls.models.memory.flow_prior); None = off.
    flow_prior=None,
)
#: Keys of ``model.test_cfg`` consumed by the model itself.
MODEL_TEST_CFG_KEYS = ('superpixels', )

FrameLike = Union[np.ndarray, Tensor]


@dataclass
class FrameContext:
    """Everything known about the current frame when it is segmented.

    Attributes:
        index: Frame number since the last :meth:`VideoSegmenter.reset`.
        image: ``(1, 3, H, W)`` normalised frame on the model's device.
        superpixels: ``(H, W)`` int64 ids ``0..M-1``.
        features: ``(M, D)`` superfeatures.
        readout: Memory scores of ``features`` (``None`` before the memory exists).
        prev_mask: ``(H, W)`` int64 label map of the previous frame, or ``None``.
        l1: ``(1, C1 + 3, H, W)`` decoder maps (only when refining).
        l4: ``(1, C4 + 3, H/4, W/4)`` decoder maps (only when refining).
        warped_mask: ``(H, W)`` int64 previous mask moved onto this frame by optical flow
            (only with ``test_cfg.flow_prior``, from the second frame on).
    """

    index: int
    image: Tensor
    superpixels: Tensor
    features: Tensor
    readout: Optional[MemoryReadout] = None
    prev_mask: Optional[Tensor] = None
    l1: Optional[Tensor] = None
    l4: Optional[Tensor] = None
    warped_mask: Optional[Tensor] = None


class Segmentation(NamedTuple):
    """The decision on one frame.

    Attributes:
        mask: ``(H, W)`` int64 object ids.
        labels: ``(M,)`` int64 class id of each superpixel, the pool it may join.
        probs: ``(M, C)`` class probabilities, columns = ``readout.classes`` (refined:
            the mean of the Eq.-5 probabilities over each superpixel).
    """

    mask: Tensor
    labels: Tensor
    probs: Tensor


def _has_parameters(module: Optional[nn.Module]) -> bool:
    return module is not None and any(True for _ in module.parameters())


class VideoSegmenter:
    """Semi-supervised video object segmentation, one frame per :meth:`step`.

    The first frame comes with a mask (object ids, 0 = background, 255 = void): its
    superpixels are cut along the mask, labelled by the mask's mode and fitted into a
    fresh :class:`~shls.models.memory.MemoryBank` (built from ``model.memory_cfg``).
    Every later frame: superpixels -> superfeatures -> ``memory.query`` -> :meth:`segment`
    (pre-segmentation painted to pixels by indexing) -> :meth:`memorise` (confident
    superfeatures join their class's pool). Object ids are kept for the whole video: an
    object that leaves the view keeps its pool and its id when it comes back.

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
            ``data_preprocessor``, ``memory_cfg``, ``test_cfg``; to refine also
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
        self.memory = MODELS.build(copy.deepcopy(dict(model.memory_cfg)))
        hand = self.cfg['handcrafted']
        self.handcrafted = MODELS.build(copy.deepcopy(dict(hand))) if hand else None
        weights = [self.cfg['learned_weight']]
        if self.handcrafted is not None:
            weights.append(self.cfg['handcrafted_weight'])
        use = self.cfg['standardize_features'] or self.handcrafted is not None
        self.standardizer = BlockStandardizer(weights) if use else None
        self.refiner = self._build_refiner()
        flow = self.cfg['flow_prior']
        #: Moves the previous mask by optical flow (``test_cfg.flow_prior``), or None.
        self.flow_warper = FlowWarper(flow.get('scale', 0.5)) if flow else None
        #: False for the no-learning variant (``learned_weight=0`` with a hand-crafted
        #: block and no decoder): the backbone is not run at all.
        self.uses_backbone = not (self.handcrafted is not None and self.refiner is None
                                  and self.cfg['learned_weight'] == 0)
        #: The autocast dtype chosen for ``test_cfg.autocast`` (``None`` = float32).
        self.autocast_dtype = resolve_autocast(self.cfg['autocast'], self.device,
                                               getattr(model, 'backbone', None))
        backbone = getattr(model, 'backbone', None)
        on_cpu = self.device.type == 'cpu' and _has_parameters(backbone)
        #: Winograd convolutions (NNPACK) in the float32 CPU backbone.
        self.winograd = bool(on_cpu and self.autocast_dtype is None and self.cfg['winograd']
                             and use_winograd(backbone) > 0)
        #: Frames enter the backbone channels-last on a CPU (oneDNN's fast layout),
        #: unless NNPACK runs its convolutions (it takes NCHW).
        self.channels_last = on_cpu and not self.winograd
        if on_cpu:
            memory_format = torch.channels_last if self.channels_last else \
                torch.contiguous_format
            backbone.to(memory_format=memory_format)
        #: Set a :class:`~shls.utils.stage_timer.StageTimer` to time every stage.
        self.timer: Optional[StageTimer] = None
        #: Makes masks of ``step(frame, box=...)`` (a BoxPromptToMask on first use).
        self.box_prompt = None
        self.reset()

    def _build_refiner(self) -> Optional[Refiner]:
        """A :class:`Refiner` around ``model.decoder`` (``None`` without one or with
        ``test_cfg.refine=False``)."""
        decoder = getattr(self.model, 'decoder', None)
        if decoder is None or not self.cfg['refine']:
            return None
        return Refiner(decoder, use_roi=self.cfg['roi'], margin=self.cfg['roi_margin'],
                       min_side=self.cfg['roi_min_side'], min_first_box=True,
                       max_side=self.cfg['roi_max_side'])

    # ------------------------------------------------------------------ config
    @classmethod
    def merge_test_cfg(cls, model_cfg: dict, overrides: dict) -> dict:
        """Defaults <- ``model_cfg`` <- ``overrides``, unknown keys and values rejected."""
        cfg = dict(DEFAULT_TEST_CFG)
        for source, extra in ((model_cfg, MODEL_TEST_CFG_KEYS), (overrides, ())):
            options = {k: v for k, v in source.items() if k not in extra}
            check_known_keys(options, DEFAULT_TEST_CFG, 'test_cfg')
            cfg.update(options)
        if cfg['presegmentation'] not in PRESEGMENTATIONS:
            raise ValueError(f"test_cfg.presegmentation must be one of {PRESEGMENTATIONS}, "
                             f"got {cfg['presegmentation']!r}")
        if not cfg['confidence_temperature'] > 0:
            raise ValueError('test_cfg.confidence_temperature must be > 0')
        if not 0 <= cfg['outlier_min_overlap'] <= 1:
            raise ValueError('test_cfg.outlier_min_overlap must be in [0, 1]')
        if not (cfg['roi_margin'] >= 0 and 0 <= cfg['roi_min_side'] <= 1):
            raise ValueError('test_cfg needs roi_margin >= 0 and roi_min_side in [0, 1]')
        if cfg['roi_max_side'] is not None and not cfg['roi_max_side'] >= 4:
            raise ValueError(f"test_cfg.roi_max_side must be None or >= 4, got "
                             f"{cfg['roi_max_side']!r}")
        check_precision_setting(cfg['autocast'])
        check_flow_prior(cfg['flow_prior'])
        if not isinstance(cfg['winograd'], bool):
            raise ValueError(f"test_cfg.winograd must be True or False, got "
                             f"{cfg['winograd']!r}")
        if not 0 < cfg['working_scale'] <= 1:
            raise ValueError('test_cfg.working_scale must be in (0, 1], got '
                             f"{cfg['working_scale']!r}")
        return cfg

    # ------------------------------------------------------------------- state
    def reset(self) -> None:
        """Forget the video: empty memory, no previous frame."""
        self.memory.reset()
        if getattr(self, 'standardizer', None) is not None:
            self.standardizer.reset()
        if getattr(self, 'refiner', None) is not None:
            self.refiner.reset()
        self.frame_index = 0
        self._prev_mask: Optional[Tensor] = None
        self._prev_rgb: Optional[np.ndarray] = None
        self._shape: Optional[Tuple[int, int]] = None

    @property
    def device(self) -> torch.device:
        """The model's device (where frames, features and memory live)."""
        tensor = next(iter(self.model.parameters()), None)
        if tensor is None:
            tensor = next(iter(self.model.buffers()), torch.empty(0))
        return tensor.device

    @property
    def objects(self) -> list:
        """Object ids in memory (background excluded)."""
        if not self.memory.is_fitted:
            return []
        return [c for c in self.memory.classes.tolist() if c != BACKGROUND]

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
        rgb = self._check_frame(frame)
        shape = rgb.shape[:2]
        if box is not None:
            from .box_prompt import box_mask
            mask, objects = box_mask(self, rgb, box, mask, objects)
        size = working_size(shape, self.cfg['working_scale'])
        target = trusted = None
        if mask is not None:
            mask = check_id_mask(mask, shape)
            target, trusted = self._prepare_target(resize_mask(mask, size), objects)
        elif not self.memory.is_fitted:
            raise RuntimeError('the first frame needs a mask (call reset() for a new video)')
        with self.stage('resize'):
            rgb = resize_frame(rgb, size)
        ctx = self.encode(rgb, target)
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

    def stage(self, name: str) -> ContextManager:
        """Time a stage with :attr:`timer` when one is set (else a no-op)."""
        return nullcontext() if self.timer is None else self.timer(name)

    def encode(self, rgb: np.ndarray, target: Optional[Tensor] = None) -> FrameContext:
        """Superpixels (cut along ``target`` if given) and superfeatures of a frame."""
        device = self.device
        cut = None if target is None else target.cpu().numpy()
        with self.stage('superpixels'):
            spx = self.model.compute_superpixels(rgb, cut, test=True)
            spx = torch.from_numpy(spx).to(device=device, dtype=torch.int64)
        with self.stage('features'), self._autocast():
            image = torch.from_numpy(rgb).to(device).permute(2, 0, 1)[None]
            image = self.model.data_preprocessor.normalize(image)
            if self.channels_last:
                image = image.contiguous(memory_format=torch.channels_last)
            l1 = l4 = None
            if not self.uses_backbone:  # no-learning variant: colour block only
                features = image.new_zeros(int(spx.max()) + 1, 0)
            elif self.refiner is None:
                features, _ = self.model.extract_superfeatures(image, spx[None])
            else:
                features, _, l1, l4 = self.model.extract_feature_maps(image, spx[None])
                l1, l4 = l1.float(), l4.float()
            features = features.float()
        with self.stage('descriptors'):
            features = self._describe(rgb, spx, features)
        return FrameContext(self.frame_index, image, spx, features, None, self._prev_mask,
                            l1, l4, self._warp_previous(rgb))

    def _warp_previous(self, rgb: np.ndarray) -> Optional[Tensor]:
        """The previous mask moved onto ``rgb`` by optical flow (``None`` without
        ``test_cfg.flow_prior`` or a previous frame)."""
        if self.flow_warper is None or self._prev_rgb is None or self._prev_mask is None:
            return None
        with self.stage('flow_prior'):
            prev = self._prev_mask.to(torch.uint8).cpu().numpy()
            warped = self.flow_warper(prev, self._prev_rgb, rgb)
            return torch.from_numpy(warped).to(self.device, torch.int64)

    def _autocast(self) -> ContextManager:
        """``torch.autocast`` with :attr:`autocast_dtype` (a no-op for float32)."""
        return autocast_context(self.device, self.autocast_dtype)

    def _describe(self, rgb: np.ndarray, spx: Tensor, features: Tensor) -> Tensor:
        """Optional hand-crafted block and standardisation of the descriptors."""
        if self.standardizer is None:
            return features
        blocks = [features]
        if self.handcrafted is not None:
            extra = self.handcrafted(rgb, spx.cpu().numpy())
            blocks.append(extra.to(device=features.device, dtype=features.dtype))
        return self.standardizer(blocks)

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
        """The pre-segmentation (``test_cfg.presegmentation``) with
        ``softmax(Eq.-4 scores / confidence_temperature)`` as probabilities."""
        readout = ctx.readout
        scores = eq4_scores(readout.short, readout.long)
        prior = self.cfg['proximity_prior']
        if prior and ctx.prev_mask is not None:
            scores = scores - proximity_penalty(ctx.superpixels, ctx.prev_mask,
                                                readout.classes, len(ctx.features),
                                                background=BACKGROUND, **prior)
        if ctx.warped_mask is not None:
            scores = scores + self.cfg['flow_prior']['weight'] * flow_prior_scores(
                ctx.superpixels, ctx.warped_mask, readout.classes, len(ctx.features))
        probs = torch.softmax(scores / self.cfg['confidence_temperature'], dim=1)
        if self.cfg['presegmentation'] == 'eq4':
            labels = readout.classes[scores.argmax(dim=1)]
            return Segmentation(paint(labels, ctx.superpixels), labels, probs)
        mask = paint(readout.vote, ctx.superpixels)
        if ctx.prev_mask is not None:
            objects = readout.classes[readout.classes != BACKGROUND].tolist()
            mask = filter_vote_outliers(mask, ctx.prev_mask, objects,
                                        self.cfg['outlier_min_overlap'], BACKGROUND)
        labels = segment_mode(ctx.superpixels, mask, len(ctx.features), NUM_LABEL_BINS)
        return Segmentation(mask, labels, probs)

    def refine(self, ctx: FrameContext, pre: Segmentation) -> Segmentation:
        """Refine a pre-segmentation (method.md §6).

        ROIs from the pre-segmentation (:meth:`Refiner.rois`), the decoder on every
        object, Eq.-5 aggregation. Returns the Eq.-5 argmax as mask, the pre-segmentation
        labels and the refined probabilities averaged per superpixel.
        """
        refiner = self.refiner
        boxes = refiner.rois(object_masks(pre.mask, refiner.object_ids))
        with self._autocast():
            out = refiner.step(ctx.l1, ctx.l4, ctx.superpixels, ctx.readout, boxes)
        probs = out.superpixel_probs(ctx.superpixels, len(ctx.features), ctx.readout.classes)
        return Segmentation(out.mask(), pre.labels, probs)

    def memorise(self, ctx: FrameContext, seg: Segmentation) -> None:
        """Add the confident superfeatures of a predicted frame to their class pools."""
        memorise_confident(self.memory, ctx.features, seg.labels, seg.probs)

    def _predict(self, ctx: FrameContext, memorise: bool) -> Segmentation:
        with self.stage('memory_query'):
            ctx.readout = self.memory.query(ctx.features)
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
        num = len(ctx.features)
        labels = segment_mode(ctx.superpixels, target, num, NUM_LABEL_BINS, VOID_ID)
        labelled = labels != VOID_ID
        if not bool(labelled.any()):
            raise ValueError('the mask labels no pixel (all void / ignored)')
        out = torch.zeros_like(target)
        if self.memory.is_fitted:
            if not bool(trusted.all()):
                out = self._predict(ctx, memorise=False).mask
            self._write_annotation(ctx.features[labelled], labels[labelled])
        else:
            partial = False
            self.memory.fit(ctx.features[labelled], labels[labelled])
        out = torch.where(trusted, target, out)
        if partial:  # given objects exist only where the annotation puts them
            given = torch.unique(target[trusted])
            out[torch.isin(out, given) & ~trusted] = BACKGROUND
        if self.refiner is not None:
            ids = torch.tensor(self.objects, dtype=torch.int64, device=out.device)
            self.refiner.start(ctx.l1, ctx.l4, ctx.superpixels,
                               self.memory.query(ctx.features), out, ids)
        return out

    def _write_annotation(self, features: Tensor, labels: Tensor) -> None:
        """New ids -> ``add_classes``; known ids -> ``update`` (ground truth: no filter)."""
        known = torch.isin(labels, self.memory.classes.to(labels.device))
        if bool(known.any()):
            self.memory.update(features[known], labels[known])
        if bool((~known).any()):
            self.memory.add_classes(features[~known], labels[~known])

    # ------------------------------------------------------------------ inputs
    def _check_frame(self, frame: FrameLike) -> np.ndarray:
        """Frame -> ``(H, W, 3)`` uint8 RGB array of the video's size."""
        if isinstance(frame, Tensor):
            frame = frame.detach().cpu()
            if frame.ndim == 3 and frame.shape[0] == 3 and frame.shape[-1] != 3:
                frame = frame.permute(1, 2, 0)
            frame = frame.numpy()
        rgb = to_rgb_uint8(frame)
        if self._shape is not None and rgb.shape[:2] != self._shape:
            raise ValueError(f'frame {self.frame_index} is {rgb.shape[1]}x{rgb.shape[0]} but '
                             f'the video started at {self._shape[1]}x{self._shape[0]}')
        return rgb

    def _prepare_target(self, mask: np.ndarray,
                        objects: Optional[Sequence[int]]) -> Tuple[Tensor, Tensor]:
        """Checked mask -> ``(target ids with untaken pixels void, taken pixels)``."""
        target = torch.from_numpy(mask.astype(np.int64)).to(self.device)
        if objects is None:
            return target, target != VOID_ID
        ids = torch.as_tensor(list(objects), dtype=torch.int64, device=target.device)
        bad = [i for i in ids.tolist() if not 0 < i < VOID_ID]
        missing = sorted(set(ids.tolist()) - set(torch.unique(target).tolist()))
        if bad or missing:
            raise ValueError(f'objects must be ids 1..254 present in the mask; bad: {bad}, '
                             f'absent from the mask: {missing}')
        taken = torch.isin(target, ids)
        if not self.memory.is_fitted:  # the first annotation always gives the background
            taken |= target == BACKGROUND
        return torch.where(taken, target, torch.full_like(target, VOID_ID)), taken
