"""The SHLS model: superfeature embedding trained with NT-Xent (stage 1)."""
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.model import BaseModel
from torch import Tensor

from shls.registry import MODELS
from shls.structures import VideoDataSample
from ..utils import batch_offsets, knn_self_check, segment_mode

NUM_LABEL_BINS = 256  # mask labels are uint8 (255 = void)


@MODELS.register_module()
class SHLS(BaseModel):
    """Superfeatures in a highly compressed latent space.

    Stage 1 (this class): a backbone gives full-resolution and stride-4 feature maps, a
    :class:`SuperfeatureHead` pools them per superpixel into superfeatures, and a
    contrastive loss pulls together superfeatures of the same object within a frame.

    Args:
        backbone: Backbone config (e.g. ``SlimResNet``).
        head: Superfeature head config.
        loss: Contrastive loss config (e.g. ``NTXentLoss``).
        data_preprocessor: Config of the preprocessor (``VideoDataPreprocessor``).
        self_check: Log the frame-0 KNN accuracy of each training clip.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: dict, head: dict, loss: dict,
                 data_preprocessor: Optional[dict] = None, self_check: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(loss)
        self.self_check = self_check

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
        b, t = inputs.shape[:2]
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
