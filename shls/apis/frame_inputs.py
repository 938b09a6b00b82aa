"""Checking what :meth:`VideoSegmenter.step` is given: frames and annotation masks."""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor

from shls.models.superpixels import to_rgb_uint8
from shls.structures.ids import BACKGROUND, VOID_ID
from shls.utils.errors import InputError

FrameLike = Union[np.ndarray, Tensor]


def check_frame(frame: FrameLike, video_shape: Optional[Tuple[int, int]],
                index: int) -> np.ndarray:
    """Frame -> ``(H, W, 3)`` uint8 RGB array of the video's size.

    Args:
        frame: ``(H, W, 3)`` RGB image (uint8, or float in [0, 1]); a tensor may also be
            ``(3, H, W)``.
        video_shape: ``(H, W)`` of the video's frames, ``None`` on its first frame.
        index: The frame's number (for messages).

    Raises:
        ValueError: A frame of another size than the video's or of a bad layout.
    """
    if isinstance(frame, Tensor):
        frame = frame.detach().cpu()
        if frame.ndim == 3 and frame.shape[0] == 3 and frame.shape[-1] != 3:
            frame = frame.permute(1, 2, 0)
        frame = frame.numpy()
    rgb = to_rgb_uint8(frame)
    if video_shape is not None and rgb.shape[:2] != video_shape:
        raise InputError(f'frame {index} is {rgb.shape[1]}x{rgb.shape[0]} but the video '
                         f'started at {video_shape[1]}x{video_shape[0]}')
    return rgb


def prepare_target(mask: np.ndarray, objects: Optional[Sequence[int]],
                   device: torch.device, first: bool) -> Tuple[Tensor, Tensor]:
    """Checked mask -> ``(target ids with untaken pixels void, taken pixels)``.

    Args:
        mask: ``(H, W)`` checked object ids.
        objects: Ids of ``mask`` to take (``None``: all, a complete annotation).
        device: Where the tensors go.
        first: The video's first annotation: its background is always taken.

    Raises:
        ValueError: ``objects`` holds ids outside 1..254 or absent from the mask.
    """
    target = torch.from_numpy(mask.astype(np.int64)).to(device)
    if objects is None:
        return target, target != VOID_ID
    ids = torch.as_tensor(list(objects), dtype=torch.int64, device=target.device)
    bad = [i for i in ids.tolist() if not 0 < i < VOID_ID]
    missing = sorted(set(ids.tolist()) - set(torch.unique(target).tolist()))
    if bad or missing:
        raise InputError(f'objects must be ids 1..254 present in the mask; bad: {bad}, '
                         f'absent from the mask: {missing}')
    taken = torch.isin(target, ids)
    if first:  # the first annotation always gives the background
        taken |= target == BACKGROUND
    return torch.where(taken, target, torch.full_like(target, VOID_ID)), taken
