"""Packing a clip into model inputs + a :class:`VideoDataSample`."""
from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from shls.registry import TRANSFORMS
from shls.structures import VideoDataSample

DEFAULT_META_KEYS = ('seq_name', 'frame_names', 'ori_shape', 'img_shape', 'template_stem',
                     'seed', 'item_idx', 'sample_idx', 'num_objects')


@TRANSFORMS.register_module()
class PackVideoInputs(BaseTransform):
    """Pack frames, masks and superpixels of a clip for the model.

    Required key: ``frames`` (sequence of ``T`` ``(H, W, 3)`` uint8 RGB, or a
    ``(T, H, W, 3)`` array). Optional: ``masks`` and ``superpixels`` (``T`` maps of
    ``(H, W)`` each); missing ones are simply not set on the data sample.

    Returns:
        ``dict(inputs=uint8 tensor (T, 3, H, W), data_samples=VideoDataSample)`` whose
        ``gt_masks`` / ``superpixels`` are int64 ``(T, H, W)`` tensors and whose
        metainfo holds the ``meta_keys`` present in the results plus ``num_frames`` and
        ``img_shape``.

    Args:
        meta_keys: Result keys copied into the metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = DEFAULT_META_KEYS) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Return the packed ``inputs`` and ``data_samples``."""
        frames = np.stack([_as_rgb(f) for f in results['frames']])
        inputs = torch.from_numpy(np.ascontiguousarray(frames.transpose(0, 3, 1, 2)))
        sample = VideoDataSample()
        masks = _stack_maps(results.get('masks'), frames.shape[:3], 'masks')
        if masks is not None:
            sample.gt_masks = masks
        superpixels = _stack_maps(results.get('superpixels'), frames.shape[:3], 'superpixels')
        if superpixels is not None:
            sample.superpixels = superpixels
        meta = {key: results[key] for key in self.meta_keys if key in results}
        meta.update(num_frames=frames.shape[0], img_shape=tuple(frames.shape[1:3]))
        sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'


def _as_rgb(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f'expected (H, W, 3) uint8 RGB frames, got {frame.shape} '
                         f'{frame.dtype}')
    return frame


def _stack_maps(maps: Optional[Sequence[np.ndarray]], shape: Sequence[int],
                name: str) -> Optional[torch.Tensor]:
    """Stack ``T`` label maps into an int64 ``(T, H, W)`` tensor (checked against frames)."""
    if maps is None:
        return None
    stacked = np.stack([np.asarray(m) for m in maps]).astype(np.int64)
    if stacked.shape != tuple(shape):
        raise ValueError(f'{name} have shape {stacked.shape}, frames need {tuple(shape)}')
    return torch.from_numpy(stacked)
