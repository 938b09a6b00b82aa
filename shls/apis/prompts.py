"""Annotations given on several frames (objects that first appear on later frames)."""
import os
import os.path as osp
from typing import Iterator, List, Sequence, Tuple, Union

import numpy as np

from shls.datasets.mask_io import read_mask
from shls.structures.ids import object_ids_in
from .frame_source import FrameInput, FrameSource, natural_key, open_frames
from .streaming import announce, with_next
from shls.structures.segmenter import StreamingSegmenter
from shls.utils.errors import InputError, InputNotFoundError


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
        raise InputNotFoundError(f'no annotation PNG in {folder}')
    index = {source.frame_name(i): i for i in range(len(source))}
    unknown = [n for n in names if osp.splitext(n)[0] not in index]
    if unknown:
        raise InputError(f'annotation {osp.join(folder, unknown[0])} matches no frame of '
                         f'{source.name} (names must be the frames\' names)')
    seen: set = set()
    prompts = []
    for name in sorted(names, key=lambda n: index[osp.splitext(n)[0]]):
        path = osp.join(folder, name)
        new = sorted(set(object_ids_in(read_mask(path))) - seen)
        if new:
            prompts.append(dict(frame=index[osp.splitext(name)[0]], mask=path, objects=new))
            seen.update(new)
    if not prompts:
        raise InputError(f'no annotation in {folder} holds an object (only background 0 / '
                         'void 255)')
    return prompts


def segment_video_prompted(segmenter: StreamingSegmenter,
                           frames: Union[FrameInput, FrameSource],
                           prompts: Sequence[dict]) -> Iterator[np.ndarray]:
    """Stream a video whose objects are annotated where they first appear (YouTube-VOS).

    Each prompt is ``dict(frame=index, mask=PNG path or ids array, objects=[ids] or
    None)``: on frame ``index`` the segmenter gets that mask, taking only ``objects``
    (all its ids when None) and predicting the rest of the frame. Frames before the first
    prompt are all background (nothing to track yet).

    Args:
        segmenter: The segmenter (reset first).
        frames: See :func:`segment_video`.
        prompts: The annotations, at distinct frames.

    Returns:
        An iterator of ``(H, W)`` uint8 object ids, one per frame.

    Raises:
        ValueError: No prompt, two prompts on one frame, a prompt beyond the last frame,
            a mask of another size than the frames, or frames of mixed sizes.
    """
    source = open_frames(frames)
    by_frame = {}
    for prompt in prompts:
        index = int(prompt['frame'])
        if index in by_frame:
            raise InputError(f'two annotations for frame {index} of {source.name}')
        by_frame[index] = prompt
    if not by_frame:
        raise InputError(f'no annotation for {source.name}')
    return stream_prompted(segmenter, source, by_frame)


def stream_prompted(segmenter: StreamingSegmenter, source: FrameSource,
                    by_frame: dict) -> Iterator[np.ndarray]:
    """Id maps of ``source``, the prompt ``by_frame[index]`` given on frame ``index``
    (see :func:`segment_video_prompted`, which checks the prompts first)."""
    segmenter.reset()
    shape, count, started = None, 0, False
    for count, (frame, upcoming) in enumerate(with_next(source)):
        # the next frame is stepped without a mask (an annotated frame is cut anew)
        if (started or count in by_frame) and count + 1 not in by_frame:
            announce(segmenter, upcoming)
        if shape is not None and frame.shape[:2] != shape:
            raise InputError(f'{source.describe(count)} is {frame.shape[1]}x{frame.shape[0]} '
                             f'but the video started at {shape[1]}x{shape[0]} (frames of '
                             'mixed sizes)')
        shape = frame.shape[:2]
        prompt = by_frame.get(count)
        if prompt is None:
            yield segmenter.step(frame) if started else np.zeros(shape, np.uint8)
            continue
        mask, name = _prompt_mask(prompt)
        if mask.shape != shape:
            raise InputError(f'annotation is {mask.shape[1]}x{mask.shape[0]} but the frames '
                             f'of {source.name} are {shape[1]}x{shape[0]}: {name}')
        objects = prompt.get('objects')
        missing = sorted(set(objects or ()) - set(np.unique(mask).tolist()))
        if missing:
            raise InputError(f'objects {missing} are not in the annotation of frame {count}: '
                             f'{name}')
        started = True
        yield segmenter.step(frame, mask, objects=None if objects is None else list(objects))
    if max(by_frame) > count:
        raise InputError(f'annotation for frame {max(by_frame)} but {source.name} has '
                         f'{count + 1} frames')


def _prompt_mask(prompt: dict) -> Tuple[np.ndarray, str]:
    """The ids of a prompt's mask and a name for messages."""
    mask = prompt['mask']
    if isinstance(mask, (str, os.PathLike)):
        return read_mask(os.fspath(mask)), os.fspath(mask)
    return np.asarray(mask), f'annotation of frame {prompt["frame"]}'
