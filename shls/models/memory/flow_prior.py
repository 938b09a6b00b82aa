"""A motion prior on the pre-segmentation: the previous mask carried by optical flow.

Not in the paper. The memory classifies every superpixel from its appearance alone, so
a part of the background that looks like the object next to it (a shadow, the water
under a swan) can join the object, and a part of the object seen from a new side can be
lost. The previous frame's mask, moved to the current frame by dense optical flow (DIS,
Kroeger et al. 2016, in OpenCV), says where each object should be now.
:func:`flow_prior_scores` turns it into a per-superpixel bonus added to the Eq.-4 scores:

    bonus_k(s) = weight * (fraction of superpixel s that the warped mask gives to k)

so a superpixel whose appearance is ambiguous goes to the object the motion brought
there, while a clear appearance (scores far apart) still wins. The flow is computed
backwards (current -> previous frame) on frames shrunk by ``scale``, and the previous
mask is sampled along it (nearest), so every pixel of the current frame gets a label.

Where the background reappears behind a moving object, the backward flow follows the
background and lands on the object's old place: the warped mask hands the uncovered
background to the object, which then keeps it (the flow prior and the memory reinforce it
frame after frame). With ``occlusion_check`` the flow is also computed forwards, and a
pixel whose backward flow the forward flow does not undo (the forward-backward test of
Sundaram et al. 2010, :func:`occluded`) is *untraced*. An object the warp brought to an
untraced pixel has left it, so the bonus of that pixel goes to every other class (the
background, or an object behind); untraced background pixels keep the background's.
"""
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
from torch import Tensor

from shls.structures.ids import BACKGROUND, NUM_LABEL_BINS
from shls.utils.errors import ConfigError


#: ``test_cfg.flow_prior.preset`` -> OpenCV's DIS preset (at 427x240, 1 thread here:
#: medium ~10 ms, fast ~2 ms, ultrafast ~1 ms).
DIS_PRESETS = {
    'ultrafast': cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    'fast': cv2.DISOPTICAL_FLOW_PRESET_FAST,
    'medium': cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}
FLOW_PRIOR_KEYS = ('weight', 'scale', 'preset', 'occlusion_check', 'pixel_weight')
#: Keys of ``test_cfg.flow_prior`` that are not :class:`FlowWarper`'s arguments.
FLOW_WEIGHT_KEYS = ('weight', 'pixel_weight')
#: The forward-backward test's tolerance: relative (of the squared flow lengths, as in
#: Sundaram et al. 2010) and absolute (px^2 at the flow's scale; 0.1 instead of their 0.5:
#: 72.50 -> 72.70 J&F on ../shared/data/davis_train, 67.87 -> 68.03 on davis, measured
#: with untraced pixels given no bonus; README).
OCCLUSION_TOLERANCE = (0.01, 0.1)


def check_flow_prior(cfg: Optional[dict]) -> None:
    """Raise ValueError unless ``cfg`` is a valid ``test_cfg.flow_prior`` (None or
    ``dict(weight=w >= 0, scale=s in (0, 1], preset=name of DIS_PRESETS,
    occlusion_check=bool, pixel_weight=p in [0, 1])``, all but ``weight`` optional;
    ``pixel_weight``: :mod:`~shls.models.memory.flow_pixel_prior`)."""
    if cfg is None:
        return
    if not isinstance(cfg, dict) or 'weight' not in cfg or set(cfg) - set(FLOW_PRIOR_KEYS):
        raise ConfigError(f'test_cfg.flow_prior must be None or dict(weight=..., scale=..., '
                          f'preset=..., occlusion_check=..., pixel_weight=...), got {cfg!r}')
    if not cfg['weight'] >= 0 or not 0 < cfg.get('scale', 0.5) <= 1:
        raise ConfigError(f'test_cfg.flow_prior needs weight >= 0 and scale in (0, 1], got '
                          f'{cfg!r}')
    if cfg.get('preset', 'medium') not in DIS_PRESETS:
        raise ConfigError(f"test_cfg.flow_prior.preset must be one of "
                          f"{', '.join(DIS_PRESETS)}, got {cfg['preset']!r}")
    pixel_weight = cfg.get('pixel_weight', 0.0)
    if isinstance(pixel_weight, bool) or not isinstance(pixel_weight, (int, float)) or \
            not 0 <= pixel_weight <= 1:
        raise ConfigError(f'test_cfg.flow_prior.pixel_weight must be a number in [0, 1], got '
                          f'{pixel_weight!r}')
    if not isinstance(cfg.get('occlusion_check', False), bool):
        raise ConfigError('test_cfg.flow_prior.occlusion_check must be True or False, got '
                          f"{cfg['occlusion_check']!r}")


class FlowWarper:
    """Warp a label map of the previous frame onto the current frame by DIS flow.

    Args:
        scale: Fraction of the frame size the flow is computed at (at 480p with the
            'medium' preset, one DIS call: ~10 ms of one core at 0.5, ~40 ms at 1.0,
            the accurate model's setting).
        preset: OpenCV DIS preset, a key of :data:`DIS_PRESETS`.
        occlusion_check: Also compute the forward flow and report the pixels that fail
            the forward-backward test (:meth:`warp`; one more DIS call per frame).
    """

    def __init__(self, scale: float = 0.5, preset: str = 'medium',
                 occlusion_check: bool = False) -> None:
        if not 0 < scale <= 1:
            raise ConfigError(f'flow_prior scale must be in (0, 1], got {scale!r}')
        self.scale = float(scale)
        if preset not in DIS_PRESETS:
            raise ConfigError(f'flow_prior preset must be one of {", ".join(DIS_PRESETS)}, '
                              f'got {preset!r}')
        self._dis = cv2.DISOpticalFlow_create(DIS_PRESETS[preset])
        self.occlusion_check = bool(occlusion_check)

    def _gray(self, rgb: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if size != (
            rgb.shape[1], rgb.shape[0]) else rgb
        return cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2GRAY)

    def __call__(self, prev_mask: np.ndarray, prev_rgb: np.ndarray,
                 rgb: np.ndarray) -> np.ndarray:
        """The ``(H, W)`` uint8 ``prev_mask`` moved onto ``rgb`` (both ``(H, W, 3)``)."""
        return self.warp(prev_mask, prev_rgb, rgb)[0]

    def warp(self, prev_mask: np.ndarray, prev_rgb: np.ndarray, rgb: np.ndarray
             ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Move ``prev_mask`` onto ``rgb`` and find the pixels the flow cannot trace.

        Args:
            prev_mask: ``(H, W)`` uint8 label map of the previous frame.
            prev_rgb: ``(H, W, 3)`` uint8 previous frame.
            rgb: ``(H, W, 3)`` uint8 current frame.

        Returns:
            The ``(H, W)`` uint8 warped labels, and the ``(H, W)`` bool untraced pixels
            (:func:`occluded`) with :attr:`occlusion_check`, else ``None``.
        """
        height, width = rgb.shape[:2]
        size = (max(8, round(width * self.scale)), max(8, round(height * self.scale)))
        cur, prev = self._gray(rgb, size), self._gray(prev_rgb, size)
        back = self._dis.calc(cur, prev, None)
        warped = cv2.remap(prev_mask.astype(np.uint8),
                           *_sample_grid(_flow_at_size(back, width, height)),
                           cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
        if not self.occlusion_check:
            return warped, None
        untraced = occluded(back, self._dis.calc(prev, cur, None))
        if untraced.shape != (height, width):
            untraced = cv2.resize(untraced.view(np.uint8), (width, height),
                                  interpolation=cv2.INTER_NEAREST) > 0
        return warped, untraced


def _flow_at_size(flow: np.ndarray, width: int, height: int) -> np.ndarray:
    """An ``(h, w, 2)`` flow resized to ``(height, width)``, its vectors scaled with it
    (the flow itself when it has that size already)."""
    if flow.shape[:2] == (height, width):
        return flow
    out = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    out[..., 0] *= width / flow.shape[1]
    out[..., 1] *= height / flow.shape[0]
    return out


def _sample_grid(flow: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``cv2.remap``'s maps ``(x + u, y + v)`` for an ``(H, W, 2)`` float32 flow."""
    cols, rows = np.meshgrid(np.arange(flow.shape[1], dtype=np.float32),
                             np.arange(flow.shape[0], dtype=np.float32))
    return cols + flow[..., 0], rows + flow[..., 1]


def occluded(back: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Pixels whose backward flow the forward flow does not undo.

    Args:
        back: ``(H, W, 2)`` float32 flow from the current to the previous frame.
        forward: ``(H, W, 2)`` float32 flow from the previous to the current frame.

    Returns:
        ``(H, W)`` bool: ``|b + f(x + b)|^2 > r (|b|^2 + |f(x + b)|^2) + a`` with
        ``(r, a) =`` :data:`OCCLUSION_TOLERANCE` (uncovered or badly tracked pixels).
    """
    ahead = cv2.remap(forward, *_sample_grid(back), cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    relative, absolute = OCCLUSION_TOLERANCE
    gap = np.square(back + ahead).sum(axis=-1)
    return gap > relative * (np.square(back).sum(axis=-1)
                             + np.square(ahead).sum(axis=-1)) + absolute


def flow_prior_scores(superpixels: Tensor, warped: Tensor, classes: Tensor,
                      num: int, untraced: Optional[Tensor] = None) -> Tensor:
    """Fraction of every superpixel that the warped mask gives to each class.

    Args:
        superpixels: ``(H, W)`` int64 ids ``0..num-1`` of the current frame.
        warped: ``(H, W)`` int64 label map (the previous mask moved by the flow).
        classes: ``(C,)`` class ids in column order; other labels (void) count for none.
        num: Number of superpixels.
        untraced: ``(H, W)`` bool pixels the flow cannot trace (:meth:`FlowWarper.warp`):
            where ``warped`` gives one of them to an object, the object has left, and
            the pixel counts for every other class instead. ``None``: none.

    Returns:
        ``(num, C)`` float32 fractions in [0, 1].
    """
    device = superpixels.device
    width = len(classes) + 1  # the last column counts the pixels of no class
    lut = torch.full((NUM_LABEL_BINS,), len(classes), dtype=torch.int64, device=device)
    lut[classes.to(device)] = torch.arange(len(classes), device=device)
    warped = warped.to(device).clamp(0, NUM_LABEL_BINS - 1)
    cols = lut[warped].reshape(-1)
    # one histogram of (superpixel, column, left) triples, no boolean compaction
    left = (torch.zeros_like(cols) if untraced is None else
            (untraced.to(device) & (warped != BACKGROUND)).reshape(-1).long())
    counts = torch.bincount((superpixels.reshape(-1) * 2 + left) * width + cols,
                            minlength=num * 2 * width).reshape(num, 2, width)
    area = counts.sum(dim=(1, 2)).clamp_min(1)[:, None].float()
    stayed = counts[:, 0, :-1].float() / area
    gone = counts[:, 1, :-1].float() / area
    return stayed + (gone.sum(dim=1, keepdim=True) - gone)
