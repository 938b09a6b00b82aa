"""Resuming a test run: which videos of an output folder are already finished.

Every finished video folder holds a ``.complete`` marker with the run's fingerprint (what
determines its masks: weights, test config, inference settings, output format; see
:mod:`shls.datasets.mask_formats`). A later run with the same fingerprint skips those
videos; any other folder (unfinished, or made another way) is segmented again and
replaced.
"""
from typing import Iterator, Tuple

from mmengine.dataset import BaseDataset

from shls.apis.fingerprint import run_fingerprint
from shls.datasets.mask_formats import is_complete

__all__ = ['ResumeGuard', 'iter_videos', 'run_fingerprint']


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
