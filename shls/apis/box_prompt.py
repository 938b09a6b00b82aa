"""Boxes and scribbles instead of masks: the :class:`PromptToMask` components in the API."""
import os
from concurrent.futures import Future
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from shls.models.prompts import BasePromptToMask, check_boxes
from shls.models.superpixels import to_rgb_uint8
from shls.registry import MODELS
from shls.structures.ids import is_object_id
from shls.utils.errors import ConfigError
from .working_scale import resize_frame, upscale_labels, working_size

#: The components :func:`prompt_component` builds by default.
DEFAULT_BOX_PROMPT = dict(type='BoxPromptToMask')
DEFAULT_SCRIBBLE_PROMPT = dict(type='ScribblePromptToMask')


def prompt_component(cfg: Union[dict, BasePromptToMask, None] = None,
                     kind: str = 'box') -> BasePromptToMask:
    """A prompt-to-mask component: ``cfg`` built from ``MODELS``, or the default one of
    ``kind`` (``'box'`` or ``'scribble'``)."""
    if isinstance(cfg, BasePromptToMask):
        return cfg
    if cfg is None:
        cfg = DEFAULT_BOX_PROMPT if kind == 'box' else DEFAULT_SCRIBBLE_PROMPT
    import shls.models.prompts  # noqa: F401 (registers the components)
    return MODELS.build(dict(cfg))


def first_mask_from_prompt(frame: np.ndarray, boxes: Optional[Sequence] = None,
                           scribble: Union[str, os.PathLike, np.ndarray, None] = None,
                           component: Union[dict, BasePromptToMask, None] = None,
                           segmenter=None) -> np.ndarray:
    """The first frame's id map from boxes (object ``i`` = box ``i``) or a scribble.

    Args:
        frame: ``(H, W, 3)`` RGB frame.
        boxes: Boxes ``(x0, y0, x1, y1)`` (or ``'x0,y0,x1,y1'`` strings), one per object.
        scribble: A sparse id PNG or array (0 = unknown, 1..254 strokes on objects, 255
            strokes on the background).
        component: A :class:`~shls.models.prompts.BasePromptToMask` or its config.
        segmenter: With boxes, a :class:`~shls.apis.VideoSegmenter` whose features say
            where in each box the object likely is (:func:`feature_objectness`); it is
            reset afterwards. None: colours only.

    Returns:
        ``(H, W)`` uint8 object ids.

    Raises:
        ValueError: Neither or both prompts, a bad box or scribble.
    """
    if (boxes is None) == (scribble is None):
        raise ConfigError('give boxes or a scribble (one of the two)')
    rgb = to_rgb_uint8(frame)
    if scribble is not None:
        return prompt_component(component, 'scribble')(rgb, scribble)
    boxes = check_boxes(boxes, rgb.shape[:2])
    likely = None
    if segmenter is not None:
        segmenter.reset()
        likely = feature_objectness(segmenter, rgb, boxes)
        segmenter.reset()
    return prompt_component(component, 'box')(rgb, boxes, likely)


def box_mask(segmenter, rgb: np.ndarray, box, mask: Optional[np.ndarray],
             objects: Optional[Sequence[int]]) -> Tuple[np.ndarray, Optional[List[int]]]:
    """``(mask, objects)`` for :meth:`VideoSegmenter.step` given boxes.

    Box ``i`` becomes object ``objects[i]`` (default: the ids after the known ones, from
    1 on the first frame) of a mask made by ``segmenter.box_prompt`` (a
    :class:`~shls.models.prompts.BoxPromptToMask` built on first use). On the first
    frame the mask is a complete annotation; later, only the boxed objects are taken.

    Raises:
        ValueError: A mask given as well, ``objects`` not matching the boxes, or a bad box.
    """
    if mask is not None:
        raise ValueError('step: give a mask or a box, not both')
    boxes = check_boxes(box, rgb.shape[:2])
    known = list(segmenter.objects)
    first = not segmenter.memory.is_fitted
    if objects is None:
        start = max(known, default=0) + 1
        objects = list(range(start, start + len(boxes)))
    objects = [int(k) for k in objects]
    if len(objects) != len(boxes) or len(set(objects)) != len(objects):
        raise ValueError(f'step: {len(boxes)} boxes need as many distinct object ids, got '
                         f'{objects}')
    if not all(is_object_id(k) for k in objects):
        raise ValueError(f'step: object ids must be 1..254, got {objects}')
    component = getattr(segmenter, 'box_prompt', None)
    if component is None:
        component = segmenter.box_prompt = prompt_component(None, 'box')
    local = component(rgb, boxes, feature_objectness(segmenter, rgb, boxes))
    lut = np.zeros(256, np.uint8)
    lut[1:len(objects) + 1] = objects
    return lut[local], (None if first else objects)


@torch.no_grad()
def feature_objectness(segmenter, rgb: np.ndarray, boxes: Sequence,
                       top_k: int = 5) -> List[np.ndarray]:
    """Where each boxed object likely is, by the segmenter's own superfeatures.

    The frame is encoded as :meth:`VideoSegmenter.step` would (superpixels,
    superfeatures, descriptors), on the superpixels of ``test_cfg.prompt_superpixels``
    where it sets them; a superpixel mostly inside a box is likely the object
    when its mean cosine similarity to its ``top_k`` nearest superpixels outside the box
    is below the mean over the box (it looks unlike the background around).

    Args:
        segmenter: A :class:`~shls.apis.VideoSegmenter`.
        rgb: ``(H, W, 3)`` uint8 frame.
        boxes: Checked boxes (:func:`~shls.models.prompts.check_boxes`).
        top_k: Nearest background superpixels averaged.

    Returns:
        One ``(H, W)`` bool map per box.
    """
    shape = rgb.shape[:2]
    frame = resize_frame(rgb, working_size(shape, segmenter.cfg['working_scale']))
    labels = None
    if segmenter.prompt_superpixels is not None:  # its own partition only
        labels = Future()
        labels.set_result((segmenter.prompt_superpixels(frame), []))
    ctx = segmenter.encode(frame, superpixels=labels)
    spx = upscale_labels(ctx.superpixels, shape).cpu().numpy()
    feats = torch.nn.functional.normalize(ctx.features.float(), dim=1)
    ids = spx.ravel()
    num = int(ids.max()) + 1
    area = np.maximum(np.bincount(ids, minlength=num), 1)
    maps = []
    for x0, y0, x1, y1 in boxes:
        inside = np.zeros(shape, bool)
        inside[y0:y1, x0:x1] = True
        frac = np.bincount(ids, weights=inside.ravel(), minlength=num) / area
        fg, bg = frac > 0.5, frac < 0.05
        likely = np.zeros(num, bool)
        if fg.any() and bg.sum() >= top_k:
            sims = feats[torch.from_numpy(fg)] @ feats[torch.from_numpy(bg)].T
            unlike = 1 - sims.topk(top_k, dim=1).values.mean(dim=1).cpu().numpy()
            likely[np.flatnonzero(fg)] = unlike > unlike.mean()
        maps.append(likely[spx] & inside)
    return maps
