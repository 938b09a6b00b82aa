"""Annotations given on several frames: a folder of PNGs named like the frames."""
import os
import os.path as osp
from typing import List

import numpy as np

from shls.datasets.mask_io import read_mask
from .frame_source import FrameSource, natural_key

BACKGROUND, VOID_ID = 0, 255


def prompts_from_folder(folder: str, source: FrameSource) -> List[dict]:
    """Prompts for :func:`~shls.apis.segment_video_prompted` from a folder of annotations.

    Each ``<stem>.png`` annotates the frame of ``source`` with that name. An object is
    taken from the annotation where its id first appears (YouTube-VOS style); an
    annotation that adds no new id is not used.

    Args:
        folder: Folder of object-id PNGs.
        source: The frames (their names match the PNG stems).

    Returns:
        ``[dict(frame=index, mask=path, objects=[new ids])]`` in frame order.

    Raises:
        FileNotFoundError: No PNG in ``folder``.
        ValueError: A PNG names no frame of ``source``, or no annotation holds an object.
    """
    names = sorted((n for n in os.listdir(folder) if n.lower().endswith('.png')),
                   key=natural_key)
    if not names:
        raise FileNotFoundError(f'no annotation PNG in {folder}')
    index = {source.frame_name(i): i for i in range(len(source))}
    unknown = [n for n in names if osp.splitext(n)[0] not in index]
    if unknown:
        raise ValueError(f'annotation {osp.join(folder, unknown[0])} matches no frame of '
                         f'{source.name} (names must be the frames\' names)')
    seen: set = set()
    prompts = []
    for name in sorted(names, key=lambda n: index[osp.splitext(n)[0]]):
        path = osp.join(folder, name)
        ids = np.unique(read_mask(path))
        new = sorted(set(ids.tolist()) - {BACKGROUND, VOID_ID} - seen)
        if new:
            prompts.append(dict(frame=index[osp.splitext(name)[0]], mask=path, objects=new))
            seen.update(new)
    if not prompts:
        raise ValueError(f'no annotation in {folder} holds an object (only background 0 / '
                         'void 255)')
    return prompts
