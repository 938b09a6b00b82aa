"""DAVIS (2016 / 2017 layout) video dataset: one item = one video, frames streamed.

Layout under ``data_root``::

    JPEGImages/<resolution>/<seq>/00000.jpg ...
    Annotations/<resolution>/<seq>/00000.png ...
    ImageSets/2017/val.txt            one sequence name per line
"""
import os
import os.path as osp
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Union

import cv2
import numpy as np
from mmengine.dataset import BaseDataset

from shls.registry import DATASETS
from shls.structures.ids import BACKGROUND, VOID_ID
from shls.utils.errors import ConfigError, InputError, InputNotFoundError
from shls.visualization.palette import DAVIS_PALETTE
from .frame_order import sort_frame_names
from .mask_io import read_mask

FRAME_EXTENSIONS = ('.jpg', '.jpeg', '.png')


def is_truncated_jpeg(data: bytes) -> bool:
    """True for JPEG bytes without an end-of-image marker near their end.

    libjpeg decodes a truncated JPEG with a warning only (the missing rows grey), so a
    cut-short file would otherwise pass as an image.
    """
    return data[:2] == b'\xff\xd8' and b'\xff\xd9' not in data[-4096:]


def read_frame(path: str) -> np.ndarray:
    """Read one video frame as RGB.

    Args:
        path: JPEG or PNG file.

    Returns:
        ``(H, W, 3)`` uint8 RGB array.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is empty, undecodable or a truncated JPEG.
    """
    if not osp.isfile(path):
        raise InputNotFoundError(f'frame not found: {path}')
    with open(path, 'rb') as f:
        data = f.read()
    if not data:
        raise InputError(f'frame file is empty: {path}')
    if is_truncated_jpeg(data):
        raise InputError(f'truncated JPEG frame (no end-of-image marker): {path}')
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(f'cannot decode frame: {path}')
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def iter_frames(frame_paths: Iterable[str]) -> Iterator[np.ndarray]:
    """Yield the frames of a video one at a time (RGB uint8), so any length streams.

    Args:
        frame_paths: Frame files in temporal order.

    Yields:
        ``(H, W, 3)`` uint8 RGB arrays.
    """
    for path in frame_paths:
        yield read_frame(path)


def list_files(folder: str, extensions: Sequence[str]) -> List[str]:
    """Full paths of the files in ``folder`` with one of ``extensions``, in frame order
    (:mod:`shls.datasets.frame_order`: natural order; colliding or ambiguous names are a
    ``ValueError``)."""
    names = [n for n in os.listdir(folder) if n.lower().endswith(tuple(extensions))]
    return [osp.join(folder, n) for n in sort_frame_names(names, folder)]


def read_split_file(path: str) -> List[str]:
    """Sequence names of an ImageSets file (one per line, blank lines skipped)."""
    if not osp.isfile(path):
        raise InputNotFoundError(f'DAVIS split file not found: {path} (pass sequences=[...] '
                                 'to select sequences without one)')
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise InputError(f'DAVIS split file lists no sequence: {path}')
    return names


@DATASETS.register_module()
class DAVISDataset(BaseDataset):
    """DAVIS videos for semi-supervised VOS: one item per video, paths only.

    Each item is a dict with

    - ``seq_name`` (str); ``frame_paths`` (sorted list of the frame files);
    - ``mask_paths``: every annotation PNG of the sequence, sorted (DAVIS val annotates
      every frame, test-dev only frame 0);
    - ``first_mask``: ``(H, W)`` uint8 object ids of the first annotation, read with
      :func:`read_mask`, with void (255) set to 0 (background), as the official toolkit
      does for its ground truth;
    - ``num_objects``: ``first_mask.max()`` — the official toolkit's object count (objects
      are ids ``1..num_objects``);
    - ``palette``: ``(256, 3)`` uint8 palette to write predictions with;
    - ``frames``: ``(T, H, W, 3)`` uint8 RGB, only when ``lazy=False``.

    The index (sequence list and file lists) is built at construction (unless
    ``lazy_init=True``); masks are read when an item is accessed, and frames are never
    loaded unless ``lazy=False`` — use :func:`iter_frames` on ``frame_paths`` to stream.
    Works with ``DefaultSampler(shuffle=False, round_up=False)``: distributed test runs
    split the videos without duplicates.

    Args:
        data_root: DAVIS root folder.
        split_file: ImageSets file relative to ``data_root`` (or absolute). Ignored when
            ``sequences`` is given; otherwise a missing file is a ``FileNotFoundError``.
        resolution: Resolution folder name (``'480p'`` or ``'Full-Resolution'``).
        sequences: Explicit sequence names (order kept) instead of the split file.
        pipeline: Transforms applied to each item.
        lazy: If False, each item also carries all its frames in ``frames``.
        **kwargs: Other :class:`~mmengine.dataset.BaseDataset` arguments (``metainfo``,
            ``indices``, ``serialize_data``, ``lazy_init``, ``test_mode``; the latter
            defaults to True so that a failing pipeline raises instead of re-sampling).
    """

    METAINFO: dict = dict(dataset_name='DAVIS', palette=DAVIS_PALETTE.tolist())

    def __init__(self,
                 data_root: str,
                 split_file: str = 'ImageSets/2017/val.txt',
                 resolution: str = '480p',
                 sequences: Optional[Sequence[str]] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 lazy: bool = True,
                 **kwargs) -> None:
        self.split_file = split_file if osp.isabs(split_file) else osp.join(data_root, split_file)
        self.resolution = resolution
        self.sequences = list(sequences) if sequences is not None else None
        self.lazy = lazy
        kwargs.setdefault('test_mode', True)
        super().__init__(data_root=data_root, pipeline=list(pipeline), **kwargs)

    def _sequence_names(self) -> List[str]:
        """The selected sequences: explicit ones, else the split file's."""
        if self.sequences is not None:
            if not self.sequences:
                raise ConfigError('DAVISDataset: sequences=[] selects no video')
            return self.sequences
        return read_split_file(self.split_file)

    def load_data_list(self) -> List[dict]:
        """Index the frames and annotations of every selected sequence."""
        frame_root = osp.join(self.data_root, 'JPEGImages', self.resolution)
        mask_root = osp.join(self.data_root, 'Annotations', self.resolution)
        return [
            self._index_sequence(name, frame_root, mask_root) for name in self._sequence_names()
        ]

    @staticmethod
    def _index_sequence(name: str, frame_root: str, mask_root: str) -> dict:
        """File lists of one sequence, with clear errors for missing data."""
        frame_dir = osp.join(frame_root, name)
        mask_dir = osp.join(mask_root, name)
        for folder, what in ((frame_dir, 'frame'), (mask_dir, 'annotation')):
            if not osp.isdir(folder):
                raise InputNotFoundError(f'DAVIS sequence {name!r}: {what} folder not found: '
                                         f'{folder}')
        frame_paths = list_files(frame_dir, FRAME_EXTENSIONS)
        mask_paths = list_files(mask_dir, ('.png', ))
        if not frame_paths:
            raise InputNotFoundError(f'DAVIS sequence {name!r}: no frame in {frame_dir}')
        if not mask_paths:
            raise InputNotFoundError(f'DAVIS sequence {name!r}: no annotation in {mask_dir}')
        frame_stems = {_stem(p) for p in frame_paths}
        orphans = [p for p in mask_paths if _stem(p) not in frame_stems]
        if orphans:
            raise InputError(f'DAVIS sequence {name!r}: annotation {orphans[0]} has no frame '
                             f'in {frame_dir} ({len(orphans)} such annotations; it would be '
                             'scored against a frame that was never segmented)')
        first_stem = _stem(frame_paths[0])
        if _stem(mask_paths[0]) != first_stem:
            raise InputError(f'DAVIS sequence {name!r}: first annotation {mask_paths[0]} does '
                             f'not belong to the first frame {frame_paths[0]}')
        return dict(seq_name=name, frame_paths=frame_paths, mask_paths=mask_paths)

    def get_data_info(self, idx: int) -> dict:
        """The item without pipeline: paths plus the first mask (read now)."""
        info = super().get_data_info(idx)
        first_mask = read_mask(info['mask_paths'][0])
        first_mask[first_mask == VOID_ID] = BACKGROUND
        info['first_mask'] = first_mask
        info['num_objects'] = int(first_mask.max())
        info['palette'] = DAVIS_PALETTE.copy()
        if not self.lazy:
            info['frames'] = np.stack(list(iter_frames(info['frame_paths'])))
        return info


def _stem(path: str) -> str:
    """File name without folder and extension."""
    return osp.splitext(osp.basename(path))[0]
