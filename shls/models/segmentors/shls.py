"""The SHLS model: superfeature embedding trained with NT-Xent (stage 1)."""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.model import BaseModel
from torch import Tensor

from shls.registry import MODELS
from shls.structures import VideoDataSample
from ..superpixels import cut_superpixels_by_mask
from ..utils import batch_offsets, knn_self_check, segment_mode

NUM_LABEL_BINS = 256  # mask labels are uint8 (255 = void)


@MODELS.register_module()
class SHLS(BaseModel):
    """Superfeatures in a highly compressed latent space.

    Stage 1 (this class): a backbone gives full-resolution and stride-4 feature maps, a
    :class:`SuperfeatureHead` pools them per superpixel into superfeatures, and a
    contrastive loss pulls together superfeatures of the same object within a frame.

    The superpixel generator belongs to the model, so one config line swaps it for
    training and inference alike. Clips whose data samples already carry
    ``superpixels`` (e.g. from a ``ComputeSuperpixels`` pipeline step, which runs in the
    dataloader workers) use those instead.

    Args:
        backbone: Backbone config (e.g. ``SlimResNet``).
        head: Superfeature head config.
        loss: Contrastive loss config (e.g. ``NTXentLoss``).
        superpixels: Superpixel generator config (``SLICSuperpixels``, ``ISECSuperpixels``
            ...), used for training clips without precomputed superpixels and at test time.
        cut_first_frame: Cut frame-0 superpixels along the given mask (method.md §2.3).
        memory: ``MemoryBank`` config used by the inference core.
        data_preprocessor: Config of the preprocessor (``VideoDataPreprocessor``).
        self_check: Log the frame-0 KNN accuracy of each training clip.
        test_cfg: Inference options read by :class:`shls.apis.VideoSegmenter`; its
            ``superpixels`` key, if set, replaces ``superpixels`` at test time.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: dict, head: dict, loss: dict,
                 superpixels: Optional[dict] = None, cut_first_frame: bool = True,
                 memory: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 self_check: bool = True, test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(loss)
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
        if frames.shape[-2:] != superpixels.shape[-2:]:
            raise ValueError(f'frames {tuple(frames.shape[-2:])} and superpixels '
                             f'{tuple(superpixels.shape[-2:])} differ in size')
        l1, l4 = self.backbone(frames)
        return self.head(l1, l4, superpixels)

    def forward(self, inputs: Tensor, data_samples: Optional[List[VideoDataSample]] = None,
                mode: str = 'tensor'):
        """mmengine entry point; ``mode`` is ``'loss'``, ``'predict'`` or ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._embed(inputs, data_samples)[0]
        raise ValueError(f'invalid mode {mode!r}; expected loss, predict or tensor')

    def _embed(self, inputs: Tensor, data_samples: List[VideoDataSample]):
        """Embed every frame of a ``(B, T, 3, H, W)`` batch; returns features, labels,
        per-frame counts."""
        self._add_missing_superpixels(inputs, data_samples)
        spx = torch.stack([ds.superpixels for ds in data_samples]).flatten(0, 1).long()
        feats, counts = self.extract_superfeatures(inputs.flatten(0, 1), spx)
        labels = None
        if 'gt_masks' in data_samples[0]:
            masks = torch.stack([ds.gt_masks for ds in data_samples]).flatten(0, 1).long()
            global_spx, _ = batch_offsets(spx)
            labels = segment_mode(global_spx, masks, int(counts.sum()), NUM_LABEL_BINS)
        return feats, labels, counts

    def loss(self, inputs: Tensor, data_samples: List[VideoDataSample]) -> Dict[str, Tensor]:
        """Contrastive loss over the superfeatures of each frame, plus the self-check."""
        feats, labels, counts = self._embed(inputs, data_samples)
        frame_index = torch.arange(len(counts), device=counts.device)
        groups = torch.repeat_interleave(frame_index, counts)
        losses = {'loss_contrastive': self.loss_module(feats, labels, groups)}
        if self.self_check:
            check = knn_self_check(feats.detach(), labels, counts, inputs.shape[1])
            acc = check['knn_correct'] / max(check['knn_total'], 1)
            losses['knn_acc'] = torch.tensor(100.0 * acc, device=feats.device)
        return losses

    def predict(self, inputs: Tensor,
                data_samples: List[VideoDataSample]) -> List[VideoDataSample]:
        """Self-check on validation clips: KNN counts stored in each sample's metainfo."""
        num_frames = inputs.shape[1]
        for b, sample in enumerate(data_samples):
            feats, labels, counts = self._embed(inputs[b:b + 1], [sample])
            sample.set_metainfo(knn_self_check(feats, labels, counts, num_frames))
        return data_samples
