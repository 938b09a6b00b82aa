"""An id of what determines a run's masks, kept with its outputs to resume safely.

A run's masks depend on the model (weights, test config), the settings, *and the data*:
:func:`data_fingerprint` records the frame list (names, sizes, modification times), the
first annotation's bytes and the data root, so editing a mask in place, swapping the
frames, or pointing the same names at another root makes a rerun segment again instead
of reporting an old result as done.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Iterable, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

PathLike = Union[str, os.PathLike]


def run_fingerprint(model: nn.Module, settings: dict) -> str:
    """SHA-1 of the model's weights and test config plus ``settings`` (JSON-able)."""
    digest = hashlib.sha1()
    for key, value in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(value.detach().cpu().contiguous().flatten().view(torch.uint8).numpy())
    digest.update(repr(getattr(model, 'test_cfg', None)).encode())
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


def file_stats(paths: Iterable[PathLike]) -> list:
    """``[name, size, mtime_ns]`` of each file (``[name, None, None]`` if missing)."""
    stats = []
    for path in paths:
        path = os.fspath(path)
        try:
            info = os.stat(path)
            stats.append([osp.basename(path), info.st_size, info.st_mtime_ns])
        except OSError:
            stats.append([osp.basename(path), None, None])
    return stats


def content_hash(item: Union[PathLike, np.ndarray, None]) -> Optional[str]:
    """SHA-1 of a file's bytes, of every PNG of a folder (names and bytes), or of an
    array's dtype, shape and values; ``None`` for ``None``."""
    if item is None:
        return None
    digest = hashlib.sha1()
    if isinstance(item, np.ndarray):
        digest.update(f'{item.dtype}{item.shape}'.encode())
        digest.update(np.ascontiguousarray(item).tobytes())
        return digest.hexdigest()
    path = os.fspath(item)
    files = ([osp.join(path, n) for n in sorted(os.listdir(path)) if n.lower().endswith('.png')]
             if osp.isdir(path) else [path])
    for name in files:
        digest.update(os.fsencode(osp.basename(name)))
        with open(name, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()


def data_fingerprint(frames: Optional[Sequence[PathLike]],
                     first_mask: Union[PathLike, np.ndarray, None],
                     data_root: Optional[PathLike]) -> dict:
    """What a video's masks depend on besides the model (JSON-able).

    Args:
        frames: Frame files in order (or a one-item list with a video file); ``None``
            for frames given as arrays.
        first_mask: The first annotation (file, folder of annotations, or array).
        data_root: The folder the data comes from (dataset root, or the frame folder).

    Returns:
        ``dict(frames=[[name, size, mtime_ns], ...], first_mask=sha1, root=real path)``.
    """
    root = osp.realpath(os.fspath(data_root)) if data_root is not None else None
    return dict(frames=file_stats(frames) if frames is not None else None,
                first_mask=content_hash(first_mask), root=root)


def video_fingerprint(run_id: str, data: dict) -> str:
    """SHA-1 of a run's fingerprint and one video's :func:`data_fingerprint`."""
    return hashlib.sha1((run_id + json.dumps(data, sort_keys=True)).encode()).hexdigest()


def data_root_tag(data_root: PathLike) -> str:
    """A folder name for a data root: its base name and a hash of its real path (so two
    roots with the same sequence names never share a default predictions folder)."""
    real = osp.realpath(os.fspath(data_root))
    name = osp.basename(osp.normpath(real)) or 'root'
    return f'{name}-{hashlib.sha1(os.fsencode(real)).hexdigest()[:8]}'
