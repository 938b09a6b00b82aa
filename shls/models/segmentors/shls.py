"""The SHLS model: superfeature embedding (stage 1, NT-Xent) and segmentation refinement
(stage 2, cross-entropy through the memory)."""
import copy
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

from shls.registry import MODELS
from shls.structures import VideoDataSample
from shls.structures.ids import NUM_LABEL_BINS
from shls.utils.keys import check_known_keys
from shls.utils.errors import ConfigError, UnknownNameError
from ..memory import MemoryBank
from ..backbones.resize import resize_map
from ..superpixels import cut_superpixels_by_mask
from ..utils import batch_offsets, knn_self_check, meta_maps, segment_mode
from .descriptors import SuperfeatureDescriber
from .frame_encoder import FrameEncoder
from .one_shot import OneShotCore
from .refine_loss import IGNORE_INDEX, clip_refine_loss
from .refiner import FeatureMaps, Refiner

#: Stage-2 options (``train_cfg`` of the model); see :class:`SHLS`.
DEFAULT_TRAIN_CFG = dict(
    refine=True,              # add loss_refine when the model has a decoder
    roi=True,                 # False: whole-frame ROIs (the "no ROI" ablation model)
    roi_margin=0.5,           # ground-truth box + 50 %
    # True: ROIs from the Eq.-4 pre-segmentation with the test rule (never smaller than
    # the frame-0 ROI), so training sees the test ROIs, distractors included (not in the
    # paper, which crops at the ground truth); set roi_margin=0.3 with it.
    roi_from_prediction=False,
    roi_jitter=0.0,           # > 0: random ROI shift / rescaling (decoders.jitter_boxes)
    false_blob_prob=0.0,      # per-frame probability of a planted false-positive blob
    update_memory=True,       # memory updated through the clip as at test time
    loss_refine_weight=1.0,
    # The hand-crafted block the inference core adds (test_cfg.handcrafted), e.g.
    # dict(type='SuperpixelColourStats'), so the decoder sees the attention maps of test.
    handcrafted=None,
    learned_weight=1.0,
    handcrafted_weight=1.0)


class Embedding(NamedTuple):
    """Superfeatures of a batch of clips (frames flattened, clip by clip).

    Attributes:
        features: ``(N, S)`` superfeatures.
        labels: ``(N,)`` mask mode of each superpixel (255 = void), or ``None``.
        counts: ``(B * T,)`` superpixels per frame.
        superpixels: ``(B * T, H, W)`` int64 per-frame ids.
        maps: Decoder maps (stage 2 only).
    """

    features: Tensor
    labels: Optional[Tensor]
    counts: Tensor
    superpixels: Tensor
    maps: Optional[FeatureMaps]


def merge_train_cfg(train_cfg: Optional[dict]) -> dict:
    """Defaults <- ``train_cfg``; unknown keys rejected with a suggestion."""
    check_known_keys(train_cfg or {}, DEFAULT_TRAIN_CFG, 'model train_cfg')
    cfg = {**DEFAULT_TRAIN_CFG, **(train_cfg or {})}
    if not 0.0 <= float(cfg['false_blob_prob']) <= 1.0:
        raise ConfigError(f"train_cfg.false_blob_prob must be in [0, 1], got "
                          f"{cfg['false_blob_prob']}")
    if float(cfg['roi_jitter']) < 0:
        raise ConfigError(f"train_cfg.roi_jitter must be >= 0, got {cfg['roi_jitter']}")
    return cfg


@MODELS.register_module()
class SHLS(BaseModel):
    """Superfeatures in a highly compressed latent space.

    Stage 1: a backbone gives full-resolution and stride-4 feature maps, a
    :class:`SuperfeatureHead` pools them per superpixel into superfeatures, and a
    contrastive loss pulls together superfeatures of the same object within a frame.

    Stage 2 (with ``decoder``): per clip, the per-frame core of inference
    (:class:`~shls.models.segmentors.one_shot.OneShotCore`, from
    :meth:`build_training_core`) fits a fresh memory on frame 0 and segments each later
    frame exactly as at test time, the :class:`~shls.models.decoders.RefineDecoder`
    refining it with ROIs from the ground truth (or the pre-segmentation:
    ``train_cfg.roi_from_prediction``); ``loss_refine`` is the pixel-wise cross-entropy
    of the Eq.-5 output averaged over frames ``1..T-1`` (:func:`clip_refine_loss`).
    ``loss=None`` drops the contrastive loss (stage 2 alone); ``frozen=('backbone',
    'head')`` freezes stage 1.

    The superpixel generator belongs to the model, so one config line swaps it for
    training and inference alike. Clips whose data samples already carry
    ``superpixels`` (e.g. from a ``ComputeSuperpixels`` pipeline step, which runs in the
    dataloader workers) use those instead.

    Args:
        backbone: Backbone config (e.g. ``SlimResNet``).
        head: Superfeature head config.
        loss: Contrastive loss config (a :class:`~shls.models.losses.ContrastiveLoss`,
            e.g. ``NTXentLoss``); ``None``: no ``loss_contrastive``.
        superpixels: Superpixel generator config (a
            :class:`~shls.models.superpixels.SuperpixelGenerator`: ``SLICSuperpixels``,
            ``ISECSuperpixels`` ...), used for training clips without precomputed
            superpixels and at test time.
        cut_first_frame: Cut frame-0 superpixels along the given mask (method.md §2.3).
        memory: ``MemoryBank`` config used by the inference core and stage-2 training
            (:meth:`build_memory`).
        data_preprocessor: Config of the preprocessor (``VideoDataPreprocessor``).
        self_check: Log the frame-0 KNN accuracy of each training clip.
        test_cfg: Inference options read by :class:`shls.apis.VideoSegmenter`; its
            ``superpixels`` key, if set, replaces ``superpixels`` at test time.
        decoder: Refinement decoder config (``RefineDecoder`` with ``l1_channels = C1 +
            3`` and ``l4_channels = C4 + 3``); ``None``: pre-segmentation only.
        frozen: Names of submodules (e.g. ``('backbone', 'head')``) whose parameters get
            ``requires_grad=False`` and which stay in eval mode (BatchNorm statistics
            frozen) even when the model trains. Unlike ``lr_mult=0`` nothing of them
            changes, not even BN running statistics or Adam state.
        train_cfg: Stage-2 options, keys of :data:`DEFAULT_TRAIN_CFG`.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: dict, head: dict, loss: Optional[dict],
                 superpixels: Optional[dict] = None, cut_first_frame: bool = True,
                 memory: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 self_check: bool = True, test_cfg: Optional[dict] = None,
                 decoder: Optional[dict] = None, frozen: Sequence[str] = (),
                 train_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(loss) if loss is not None else None
        self.decoder = MODELS.build(decoder) if decoder is not None else None
        if superpixels is None:
            superpixels = dict(type='SLICSuperpixels', segment_area=400)
        self.superpixel_generator = MODELS.build(superpixels)
        self.cut_first_frame = cut_first_frame
        self.memory_cfg = memory if memory is not None else dict(type='MemoryBank')
        self.test_cfg = dict(test_cfg or {})
        test_spx = self.test_cfg.get('superpixels')
        self.test_superpixel_generator = (MODELS.build(test_spx) if test_spx is not None
                                          else self.superpixel_generator)
        self.self_check = self_check
        self.train_cfg = merge_train_cfg(train_cfg)
        hand = self.train_cfg['handcrafted']
        self.train_handcrafted = MODELS.build(copy.deepcopy(dict(hand))) if hand else None
        if self.decoder is None and (train_cfg or {}).get('refine'):
            raise ConfigError('train_cfg.refine=True needs a decoder')
        self.frozen = tuple(frozen)
        for name in self.frozen:
            self._submodule(name).requires_grad_(False)

    @property
    def refine_training(self) -> bool:
        """Whether :meth:`loss` adds ``loss_refine``."""
        return self.decoder is not None and bool(self.train_cfg['refine'])

    def _submodule(self, name: str) -> nn.Module:
        try:
            return self.get_submodule(name)
        except AttributeError as err:
            children = ', '.join(n for n, _ in self.named_children())
            raise UnknownNameError(f'frozen: SHLS has no submodule {name!r}; children: '
                                   f'{children}') from err

    def train(self, mode: bool = True) -> 'SHLS':
        """Set the training mode; :attr:`frozen` submodules always stay in eval mode."""
        super().train(mode)
        for name in self.frozen:
            self._submodule(name).eval()
        return self

    def compute_superpixels(self, frame: np.ndarray, mask: Optional[np.ndarray] = None,
                            test: bool = False) -> np.ndarray:
        """Superpixels of one ``(H, W, 3)`` uint8 RGB frame, cut along ``mask`` if given
        and ``cut_first_frame`` is on. Returns ``(H, W)`` int32 contiguous ids."""
        generator = self.test_superpixel_generator if test else self.superpixel_generator
        spx = generator(frame)
        if mask is not None and self.cut_first_frame:
            spx = cut_superpixels_by_mask(spx, np.asarray(mask))
        return spx

    def _add_missing_superpixels(self, inputs: Tensor,
                                 data_samples: List[VideoDataSample]) -> None:
        """Compute superpixels on the CPU for samples that have none (frame 0 is cut by
        its mask)."""
        for b, sample in enumerate(data_samples):
            if 'superpixels' in sample:
                continue
            frames = self.data_preprocessor.denormalize(inputs[b]).permute(0, 2, 3, 1)
            frames = frames.cpu().numpy()
            masks = sample.gt_masks.cpu().numpy() if 'gt_masks' in sample else None
            spx = [self.compute_superpixels(f, masks[0] if (t == 0 and masks is not None)
                                            else None) for t, f in enumerate(frames)]
            sample.superpixels = torch.from_numpy(np.stack(spx)).long().to(inputs.device)

    def extract_superfeatures(self, frames: Tensor, superpixels: Tensor) -> Tuple[Tensor, Tensor]:
        """Superfeatures of a batch of frames.

        Args:
            frames: ``(B, 3, H, W)`` normalised images.
            superpixels: ``(B, H, W)`` int64 per-frame superpixel ids.

        Returns:
            ``(features (N, S), counts (B,))``, frame by frame.
        """
        self._check_sizes(frames, superpixels)
        l1, l4 = self.backbone(frames)
        return self.head(l1, l4, superpixels)

    def extract_superfeatures_multi(self, frames: Tensor,
                                    partitions: Sequence[Tensor]) -> List[Tensor]:
        """Superfeatures of the same frames under several partitions, from one backbone
        pass (``test_cfg.extra_partitions``).

        Args:
            frames: ``(B, 3, H, W)`` normalised images.
            partitions: ``(B, H, W)`` int64 superpixel ids of each partition.

        Returns:
            ``(N_i, S)`` features of each partition, frame by frame.
        """
        return self.extract_superfeatures_and_maps(frames, partitions)[0]

    def extract_superfeatures_and_maps(self, frames: Tensor, partitions: Sequence[Tensor]
                                       ) -> Tuple[List[Tensor], Tensor, Tensor]:
        """:meth:`extract_superfeatures_multi` and the backbone maps it pooled
        (``test_cfg.pixel_classifier`` reads them).

        Args:
            frames: ``(B, 3, H, W)`` normalised images.
            partitions: ``(B, H, W)`` int64 superpixel ids of each partition.

        Returns:
            ``(features, l1, l4)``: the ``(N_i, S)`` features of each partition and the
            backbone's ``l1`` (at its own stride when ``l1_at_input_size`` is off) and
            ``l4`` maps, in the backbone's dtype.
        """
        for superpixels in partitions:
            self._check_sizes(frames, superpixels)
        l1, l4 = self.backbone(frames)
        return [self.head(l1, l4, superpixels)[0] for superpixels in partitions], l1, l4

    def extract_feature_maps(self, frames: Tensor, superpixels: Tensor,
                             extra: Sequence[Tensor] = ()) -> FeatureMaps:
        """Superfeatures and the refinement decoder's L1 / L4 maps of a batch of frames.

        L1 and L4 get the three meta channels (superpixel area, mean row, mean column)
        painted to pixels at their own resolutions (method.md §3 step 1). The decoder
        needs L1 at the frame size: a backbone that returns it at its own stride
        (``l1_at_input_size=False``, which :meth:`extract_superfeatures` pools there) has
        it upsampled here as the backbone would have, so these features and maps do not
        depend on that flag.

        Args:
            frames: ``(B, 3, H, W)`` normalised images.
            superpixels: ``(B, H, W)`` int64 per-frame superpixel ids.
            extra: ``(B, H, W)`` ids of more partitions, pooled from the same maps into
                ``FeatureMaps.extra`` (``test_cfg.extra_partitions``).

        Returns:
            :class:`FeatureMaps` with ``l1 (B, C1 + 3, H, W)`` and ``l4 (B, C4 + 3, h, w)``.
        """
        for partition in (superpixels, *extra):
            self._check_sizes(frames, partition)
        l1, l4 = self.backbone(frames)
        l1 = resize_map(l1, frames.shape[-2:])  # backbone.l1_at_input_size=False
        features, counts = self.head(l1, l4, superpixels)
        extra_features = tuple(self.head(l1, l4, partition)[0] for partition in extra)
        l1 = torch.cat([l1, meta_maps(superpixels, l1.shape[-2:]).to(l1.dtype)], dim=1)
        l4 = torch.cat([l4, meta_maps(superpixels, l4.shape[-2:]).to(l4.dtype)], dim=1)
        return FeatureMaps(features, counts, l1, l4, extra_features)

    @staticmethod
    def _check_sizes(frames: Tensor, superpixels: Tensor) -> None:
        if frames.shape[-2:] != superpixels.shape[-2:]:
            raise ValueError(f'frames {tuple(frames.shape[-2:])} and superpixels '
                             f'{tuple(superpixels.shape[-2:])} differ in size')

    def forward(self, inputs: Tensor, data_samples: Optional[List[VideoDataSample]] = None,
                mode: str = 'tensor'):
        """mmengine entry point; ``mode`` is ``'loss'``, ``'predict'`` or ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._embed(inputs, data_samples).features
        raise ValueError(f'invalid mode {mode!r}; expected loss, predict or tensor')

    def _embed(self, inputs: Tensor, data_samples: List[VideoDataSample],
               with_maps: bool = False) -> Embedding:
        """Embed every frame of a ``(B, T, 3, H, W)`` batch (and keep the decoder maps)."""
        self._add_missing_superpixels(inputs, data_samples)
        spx = torch.stack([ds.superpixels for ds in data_samples]).flatten(0, 1).long()
        frames = inputs.flatten(0, 1)
        maps = None
        if with_maps:
            maps = self.extract_feature_maps(frames, spx)
            feats, counts = maps.features, maps.counts
        else:
            feats, counts = self.extract_superfeatures(frames, spx)
        labels = None
        if 'gt_masks' in data_samples[0]:
            masks = torch.stack([ds.gt_masks for ds in data_samples]).flatten(0, 1).long()
            global_spx, _ = batch_offsets(spx)
            labels = segment_mode(global_spx, masks, int(counts.sum()), NUM_LABEL_BINS)
        return Embedding(feats, labels, counts, spx, maps)

    def loss(self, inputs: Tensor, data_samples: List[VideoDataSample]) -> Dict[str, Tensor]:
        """``loss_contrastive`` (unless ``loss=None``), ``loss_refine`` (stage 2) and the
        frame-0 KNN self-check."""
        if self.loss_module is None and not self.refine_training:
            raise RuntimeError('SHLS has nothing to train: loss=None and no refinement '
                               '(decoder=None or train_cfg.refine=False)')
        emb = self._embed(inputs, data_samples, with_maps=self.refine_training)
        losses = {}
        if self.loss_module is not None:
            frame_index = torch.arange(len(emb.counts), device=emb.counts.device)
            groups = torch.repeat_interleave(frame_index, emb.counts)
            losses['loss_contrastive'] = self.loss_module(emb.features, emb.labels, groups)
        if self.refine_training:
            masks = torch.stack([ds.gt_masks for ds in data_samples]).long()
            losses['loss_refine'] = self.train_cfg['loss_refine_weight'] * self.refine_loss(
                emb, masks, inputs)
        losses.update(self.extra_losses(emb, inputs))
        if self.self_check:
            check = knn_self_check(emb.features.detach(), emb.labels, emb.counts,
                                   inputs.shape[1])
            acc = check['knn_correct'] / max(check['knn_total'], 1)
            losses['knn_acc'] = torch.tensor(100.0 * acc, device=emb.features.device)
        return losses

    def extra_losses(self, emb: Embedding, inputs: Tensor) -> Dict[str, Tensor]:
        """Losses a subclass adds to :meth:`loss` (none here), from the batch's
        embedding and its ``(B, T, 3, H, W)`` normalised frames."""
        return {}

    def build_memory(self) -> MemoryBank:
        """A fresh memory from the ``memory`` config: the one place it is built, for the
        inference core (:class:`shls.apis.VideoSegmenter`) and stage-2 training alike."""
        return MODELS.build(copy.deepcopy(dict(self.memory_cfg)))

    def build_training_core(self) -> OneShotCore:
        """The :class:`OneShotCore` of stage 2: the model's memory, the training ROI rule
        (``train_cfg``) and the descriptors of ``train_cfg.handcrafted``."""
        cfg = self.train_cfg
        refiner = Refiner(self.decoder, use_roi=cfg['roi'], margin=cfg['roi_margin'],
                          min_side=0.05 if cfg['roi_from_prediction'] else 0.0,
                          min_first_box=cfg['roi_from_prediction'])
        describer = SuperfeatureDescriber(self.train_handcrafted,
                                          (cfg['learned_weight'], cfg['handcrafted_weight']))
        encoder = FrameEncoder(self, describer, with_maps=True)
        return OneShotCore(self.build_memory(), encoder, refiner)

    def refine_loss(self, emb: Embedding, gt_masks: Tensor,
                    inputs: Optional[Tensor] = None) -> Tensor:
        """Mean over clips of :func:`clip_refine_loss` (stage 2).

        Args:
            emb: The batch's embedding with ``maps``.
            gt_masks: ``(B, T, H, W)`` int64 object ids.
            inputs: ``(B, T, 3, H, W)`` normalised frames (needed with
                ``train_cfg.handcrafted``).

        Returns:
            Scalar; ``0 * sum(decoder parameters)`` when no clip has an object, so that
            every decoder parameter stays in the graph.
        """
        num_clips, num_frames = gt_masks.shape[:2]
        cfg = self.train_cfg
        core = self.build_training_core()
        frame_counts = emb.counts.view(num_clips, num_frames)
        starts = torch.cumsum(frame_counts.sum(1), 0) - frame_counts.sum(1)
        losses = []
        for b in range(num_clips):
            rows = slice(b * num_frames, (b + 1) * num_frames)
            items = slice(int(starts[b]), int(starts[b] + frame_counts[b].sum()))
            maps = FeatureMaps(emb.features[items], frame_counts[b], emb.maps.l1[rows],
                               emb.maps.l4[rows])
            loss = clip_refine_loss(core, maps, emb.superpixels[rows], emb.labels[items],
                                    gt_masks[b], self._clip_rgb(inputs, b),
                                    cfg['update_memory'], IGNORE_INDEX,
                                    cfg['roi_from_prediction'], cfg['roi_jitter'],
                                    cfg['false_blob_prob'])
            if loss is not None:
                losses.append(loss)
        if not losses:
            return sum(p.sum() for p in self.decoder.parameters()) * 0.0
        return torch.stack(losses).mean()

    def _clip_rgb(self, inputs: Optional[Tensor], b: int) -> Optional[np.ndarray]:
        """``(T, H, W, 3)`` uint8 frames of clip ``b`` for the hand-crafted block
        (``None`` without ``train_cfg.handcrafted``)."""
        if self.train_handcrafted is None:
            return None
        if inputs is None:
            raise ValueError('train_cfg.handcrafted needs the input frames')
        return self.data_preprocessor.denormalize(inputs[b]).permute(0, 2, 3, 1).cpu().numpy()

    def predict(self, inputs: Tensor,
                data_samples: List[VideoDataSample]) -> List[VideoDataSample]:
        """Self-check on validation clips: KNN counts stored in each sample's metainfo."""
        num_frames = inputs.shape[1]
        for b, sample in enumerate(data_samples):
            emb = self._embed(inputs[b:b + 1], [sample])
            sample.set_metainfo(knn_self_check(emb.features, emb.labels, emb.counts,
                                               num_frames))
        return data_samples
