"""Resuming a test run: which videos of an output folder are already finished.

Every finished video folder holds a ``.complete`` marker with the run's fingerprint (what
determines its masks: weights, test config, inference settings, output format; see
:mod:`shls.datasets.mask_formats`). A later run with the same fingerprint skips those
videos; any other folder (unfinished, or made another way) is segmented again and
replaced.
"""
import hashlib
import json
from typing import Iterator, Tuple

import torch
from mmengine.dataset import BaseDataset
from torch import nn

from shls.datasets.mask_formats import is_complete


def run_fingerprint(model: nn.Module, settings: dict) -> str:
    """SHA-1 of the model's weights and test config plus ``settings`` (JSON-able)."""
    digest = hashlib.sha1()
    for key, value in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(value.detach().cpu().contiguous().flatten().view(torch.uint8).numpy())
    digest.update(repr(getattr(model, 'test_cfg', None)).encode())
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


class ResumeGuard:
    """Decides, per video, whether an earlier run of the same setup already finished it.

    Args:
        fingerprint: :func:`run_fingerprint` of this run (the writers' ``run_id``).
        enabled: False: never skip.
    """

    def __init__(self, fingerprint: str, enabled: bool = True) -> None:
        self.fingerprint = fingerprint
        self.enabled = enabled

    def done(self, folder: str, fmt: str, num_frames: int) -> bool:
        """Whether ``folder`` is a finished video of this run's setup."""
        return self.enabled and is_complete(folder, fmt, num_frames, self.fingerprint)


def iter_videos(dataset) -> Iterator[Tuple[str, int]]:
    """``(seq_name, number of frames)`` of every video of a test dataset, read from its
    index only (no mask is read); nothing for datasets that are not mmengine datasets."""
    if not isinstance(dataset, BaseDataset):
        return
    for index in range(len(dataset)):
        info = BaseDataset.get_data_info(dataset, index)
        yield info['seq_name'], len(info['frame_paths'])
