"""Resuming a test run: which videos of an output folder are already finished.

Every finished video folder holds a ``.complete`` marker with the video's fingerprint
(what determines its masks: weights, test config, inference settings, output format, and
the video's data: frame names, sizes and modification times, the first annotation's bytes,
the data root; see :mod:`shls.apis.fingerprint` and :mod:`shls.datasets.mask_formats`). A
later run with the same fingerprint skips those videos; any other folder (unfinished, made
another way, or from other data) is segmented again and replaced.
"""
from typing import Iterator, Optional, Tuple

from mmengine.dataset import BaseDataset

from shls.apis.fingerprint import data_fingerprint, run_fingerprint, video_fingerprint
from shls.datasets.mask_formats import is_complete

__all__ = ['ResumeGuard', 'iter_videos', 'run_fingerprint']


class ResumeGuard:
    """Decides, per video, whether an earlier run of the same setup already finished it.

    Args:
        fingerprint: :func:`run_fingerprint` of this run (the writers' ``run_id``).
        enabled: False: never skip.
    """

    def __init__(self, fingerprint: str, enabled: bool = True,
                 data_root: Optional[str] = None) -> None:
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.data_root = data_root

    def video_id(self, frame_paths, first_mask_path: Optional[str]) -> str:
        """The fingerprint of one video: this run's, plus the video's data."""
        return video_fingerprint(self.fingerprint, data_fingerprint(
            frame_paths, first_mask_path, self.data_root))

    def done(self, folder: str, fmt: str, frame_paths,
             first_mask_path: Optional[str] = None) -> bool:
        """Whether ``folder`` is a finished video of this run's setup and data."""
        return self.enabled and is_complete(folder, fmt, len(frame_paths),
                                            self.video_id(frame_paths, first_mask_path))


def iter_videos(dataset) -> Iterator[Tuple[str, list, Optional[str]]]:
    """``(seq_name, frame paths, first annotation path)`` of every video of a test
    dataset, read from its index only (no mask is read); nothing for datasets that are
    not mmengine datasets."""
    if not isinstance(dataset, BaseDataset):
        return
    for index in range(len(dataset)):
        info = BaseDataset.get_data_info(dataset, index)
        masks = info.get('mask_paths') or [None]
        yield info['seq_name'], list(info['frame_paths']), masks[0]
