"""YouTube-VOS video dataset: objects annotated on the frame where they first appear.

Layout under ``data_root`` (the official one, e.g. ``valid`` of YouTube-VOS 2018/2019)::

    <split>/meta.json                      {"videos": {<vid>: {"objects": {<id>: {
                                               "category": ..., "frames": [<stem>, ...]}}}}}
    <split>/JPEGImages/<vid>/<stem>.jpg
    <split>/Annotations/<vid>/<stem>.png   on the frames where objects first appear

An object's first frame is the first of its ``frames`` in ``meta.json``; the annotation of
that frame holds it (and possibly other objects). Each item gives the segmenter one
prompt per annotated frame, with the ids first appearing there
(``VideoSegmenter.step(frame, mask, objects=[...])``). There is no public ground truth
for ``valid`` / ``test``, so a test run writes masks only (no J&F).
"""
import json
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from shls.registry import DATASETS
from shls.structures.ids import is_object_id
from shls.utils.errors import ConfigError, InputError, InputNotFoundError
from shls.visualization.palette import DAVIS_PALETTE
from .davis import FRAME_EXTENSIONS, list_files
from .mask_io import read_mask


def read_meta(path: str) -> Dict[str, dict]:
    """``videos`` of a YouTube-VOS ``meta.json``, checked.

    Raises:
        FileNotFoundError: No such file.
        ValueError: Not JSON, or without ``videos`` / ``objects`` / ``frames``.
    """
    if not osp.isfile(path):
        raise InputNotFoundError(f'YouTube-VOS meta file not found: {path}')
    try:
        with open(path, encoding='utf-8') as f:
            videos = json.load(f)['videos']
        for name, video in videos.items():
            for obj_id, obj in video['objects'].items():
                if not obj['frames'] or not is_object_id(obj_id):
                    raise InputError(f'video {name!r} object {obj_id}: no frame, or id '
                                     'outside 1..254')
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise InputError(f'bad YouTube-VOS meta file {path}: {type(err).__name__}: '
                         f'{err}') from err
    return videos


@DATASETS.register_module()
class YouTubeVOSDataset(BaseDataset):
    """YouTube-VOS videos for semi-supervised VOS: one item per video, paths only.

    Each item is a dict with ``seq_name``, ``frame_paths`` (sorted), ``mask_paths`` (the
    annotation PNGs of the video, sorted), ``prompts`` (``dict(frame=index, mask=path,
    objects=[ids first appearing there])`` per annotated frame, in order), ``first_mask``
    (ids of the first annotation), ``num_objects`` and ``palette``. Annotations are read
    when an item is accessed, and each must hold the objects that first appear on it.

    Args:
        data_root: YouTube-VOS root folder.
        split: Split folder (``'valid'``, ``'test'``, ``'train'``).
        meta_file: ``meta.json`` relative to ``<data_root>/<split>`` (or absolute).
        sequences: Explicit video names (order kept) instead of all of ``meta.json``.
        pipeline: Transforms applied to each item.
        **kwargs: Other :class:`~mmengine.dataset.BaseDataset` arguments (``test_mode``
            defaults to True).
    """

    METAINFO: dict = dict(dataset_name='YouTube-VOS', palette=DAVIS_PALETTE.tolist())

    def __init__(self, data_root: str, split: str = 'valid', meta_file: str = 'meta.json',
                 sequences: Optional[Sequence[str]] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (), **kwargs) -> None:
        self.split = split
        root = osp.join(data_root, split)
        self.meta_file = meta_file if osp.isabs(meta_file) else osp.join(root, meta_file)
        self.sequences = list(sequences) if sequences is not None else None
        kwargs.setdefault('test_mode', True)
        super().__init__(data_root=data_root, pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        """Index the frames and first appearances of every selected video."""
        videos = read_meta(self.meta_file)
        names = self.sequences if self.sequences is not None else sorted(videos)
        if not names:
            raise ConfigError(f'YouTubeVOSDataset: no video selected ({self.meta_file})')
        unknown = [n for n in names if n not in videos]
        if unknown:
            raise ConfigError(f'YouTube-VOS video {unknown[0]!r} is not in {self.meta_file}')
        root = osp.join(self.data_root, self.split)
        return [self._index_video(name, videos[name], root) for name in names]

    @staticmethod
    def _index_video(name: str, video: dict, root: str) -> dict:
        frame_dir = osp.join(root, 'JPEGImages', name)
        ann_dir = osp.join(root, 'Annotations', name)
        for folder, what in ((frame_dir, 'frame'), (ann_dir, 'annotation')):
            if not osp.isdir(folder):
                raise InputNotFoundError(f'YouTube-VOS video {name!r}: {what} folder not '
                                         f'found: {folder}')
        frame_paths = list_files(frame_dir, FRAME_EXTENSIONS)
        if not frame_paths:
            raise InputNotFoundError(f'YouTube-VOS video {name!r}: no frame in {frame_dir}')
        index = {osp.splitext(osp.basename(p))[0]: i for i, p in enumerate(frame_paths)}
        first: Dict[str, List[int]] = {}
        for obj_id, obj in video['objects'].items():
            stem = min(obj['frames'], key=lambda s: index.get(s, len(index)))
            if stem not in index:
                raise InputError(f'YouTube-VOS video {name!r}: object {obj_id} first appears '
                                 f'on frame {stem!r}, which is not in {frame_dir}')
            first.setdefault(stem, []).append(int(obj_id))
        prompts = []
        for stem in sorted(first, key=index.get):
            mask = osp.join(ann_dir, f'{stem}.png')
            if not osp.isfile(mask):
                raise InputNotFoundError(f'YouTube-VOS video {name!r}: annotation of the first '
                                         f'frame of objects {sorted(first[stem])} not found: '
                                         f'{mask}')
            prompts.append(dict(frame=index[stem], mask=mask, objects=sorted(first[stem])))
        return dict(seq_name=name, frame_paths=frame_paths,
                    mask_paths=list_files(ann_dir, ('.png', )), prompts=prompts)

    def get_data_info(self, idx: int) -> dict:
        """The item without pipeline; each prompt's annotation is read and checked now."""
        info = super().get_data_info(idx)
        for prompt in info['prompts']:
            ids = read_mask(prompt['mask'])
            missing = sorted(set(prompt['objects']) - set(np.unique(ids).tolist()))
            if missing:
                raise InputError(f'YouTube-VOS video {info["seq_name"]!r}: objects {missing} '
                                 f'first appear on this frame but are not in its annotation '
                                 f'{prompt["mask"]}')
            if prompt is info['prompts'][0]:
                info['first_mask'] = ids
        info['num_objects'] = sum(len(p['objects']) for p in info['prompts'])
        info['palette'] = DAVIS_PALETTE.copy()
        return info
