"""Batching and normalising video clips on the model's device."""
from typing import Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from shls.registry import MODELS

# Per-channel statistics of MSRA10K images in [0, 1] (SHLS's training set, method.md §1).
MSRA10K_MEAN = (0.4532, 0.4335, 0.3921)
MSRA10K_STD = (0.3025, 0.2918, 0.3122)


@MODELS.register_module()
class VideoDataPreprocessor(BaseDataPreprocessor):
    """Stack ``uint8`` clips ``(T, 3, H, W)`` into ``(B, T, 3, H, W)`` and normalise.

    Images are scaled to ``[0, 1]`` and then standardised per channel. SHLS normalises
    test videos with the statistics of the test set; shls uses the training statistics
    everywhere by default, since a user's video has no dataset statistics.

    Args:
        mean: Per-channel mean of images in ``[0, 1]``.
        std: Per-channel standard deviation of images in ``[0, 1]``.
        non_blocking: Non-blocking host-to-device copies.
    """

    def __init__(self, mean: Sequence[float] = MSRA10K_MEAN,
                 std: Sequence[float] = MSRA10K_STD, non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        self.register_buffer('mean', torch.tensor(mean).view(1, 1, 3, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(1, 1, 3, 1, 1), False)

    def normalize(self, frames: torch.Tensor) -> torch.Tensor:
        """``uint8`` ``(..., 3, H, W)`` -> normalised float of the same shape."""
        shape = frames.shape
        x = frames.reshape(-1, 1, *shape[-3:])
        x = (x.float() / 255.0 - self.mean) / self.std
        return x.reshape(shape)

    def denormalize(self, frames: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`normalize`: float ``(..., 3, H, W)`` -> uint8."""
        shape = frames.shape
        x = frames.reshape(-1, 1, *shape[-3:])
        x = (x * self.std + self.mean) * 255.0
        return x.round().clamp(0, 255).to(torch.uint8).reshape(shape)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) != 1:
                raise ValueError(f'clips in a batch must share (T, 3, H, W); got {shapes}')
            inputs = torch.stack(list(inputs))
        return dict(inputs=self.normalize(inputs), data_samples=data.get('data_samples'))
