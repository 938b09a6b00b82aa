"""Resuming: whether an output folder already holds a video, finished, from the same inputs.

Every finished video folder holds a ``.complete`` marker, written last by the mask writers
(:mod:`shls.outputs.writers`), with the format, the frame count and the video's
fingerprint (what determines its masks: weights, test config, inference settings, output
format, and the video's data: frame names, sizes and modification times, the first
annotation's bytes, the data root; see :mod:`shls.outputs.fingerprint`). A later run with
the same fingerprint skips those videos; any other folder (unfinished, made another way,
or from other data) is segmented again and replaced.
"""
import json
import os.path as osp
from typing import Optional

from .fingerprint import data_fingerprint, video_fingerprint

COMPLETE_MARKER = '.complete'


def completion_record(fmt: str, num_frames: int, run_id: str = '') -> dict:
    """What the ``.complete`` marker of a finished video holds."""
    return dict(format=fmt, num_frames=num_frames, run=run_id)


def is_complete(folder: str, fmt: str, num_frames: int, run_id: str = '') -> bool:
    """Whether ``folder`` holds a finished video of ``num_frames`` frames in ``fmt``, made
    by the run ``run_id``."""
    marker = osp.join(folder, COMPLETE_MARKER)
    if not osp.isfile(marker):
        return False
    try:
        with open(marker, encoding='utf-8') as f:
            record = json.load(f)
    except (OSError, ValueError):
        return False
    return record == completion_record(fmt, num_frames, run_id)


class ResumeGuard:
    """Decides, per video, whether an earlier run of the same setup already finished it.

    Args:
        fingerprint: :func:`~shls.outputs.fingerprint.run_fingerprint` of this run.
        enabled: False: never skip.
        data_root: The folder the data comes from (part of each video's fingerprint).
    """

    def __init__(self, fingerprint: str, enabled: bool = True,
                 data_root: Optional[str] = None) -> None:
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.data_root = data_root

    def video_id(self, frame_paths, first_mask_path: Optional[str]) -> str:
        """The fingerprint of one video (the writers' ``run_id``): this run's, plus the
        video's data."""
        return video_fingerprint(self.fingerprint, data_fingerprint(
            frame_paths, first_mask_path, self.data_root))

    def done(self, folder: str, fmt: str, frame_paths,
             first_mask_path: Optional[str] = None) -> bool:
        """Whether ``folder`` is a finished video of this run's setup and data."""
        return self.enabled and is_complete(folder, fmt, len(frame_paths),
                                            self.video_id(frame_paths, first_mask_path))
