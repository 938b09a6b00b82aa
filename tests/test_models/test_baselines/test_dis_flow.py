"""DISFlowPropagation: the previous label map follows the DIS optical flow."""
import cv2
import numpy as np
import pytest

from shls.models.baselines import DISFlowPropagation, DISFlowPropagator, warp_labels
from shls.registry import MODELS
from shls.utils import register_all_modules


def textured_clip(num: int, shift: int, size=(96, 128)):
    """Frames of a smooth random texture translated by ``shift`` px right per frame,
    and the first mask (a square on the texture)."""
    rng = np.random.default_rng(0)
    h, w = size
    big = cv2.GaussianBlur(rng.integers(0, 255, (h, w + shift * num, 3), dtype=np.uint8),
                           (0, 0), 2)
    frames = [np.ascontiguousarray(big[:, w0:w0 + w][:, ::-1]) for w0 in
              range(0, shift * num, shift)]
    mask = np.zeros((h, w), np.uint8)
    mask[30:60, 30:60] = 1
    return frames, mask


def test_warp_labels_is_a_backward_nearest_warp():
    labels = np.zeros((4, 6), np.uint8)
    labels[1, 2] = 3
    flow = np.zeros((4, 6, 2), np.float32)
    flow[..., 0] = -1.0  # current (y, x) comes from previous (y, x - 1)
    out = warp_labels(labels, flow)
    assert out[1, 3] == 3 and out.sum() == 3 and out.dtype == np.uint8
    flow[..., 0] = 10.0  # from outside the frame: background
    assert warp_labels(labels, flow).max() == 0


def test_propagated_mask_follows_a_translation():
    shift = 3
    frames, mask = textured_clip(6, shift)
    seg = DISFlowPropagator('medium')
    outs = [seg.step(frames[0], mask)] + [seg.step(f) for f in frames[1:]]
    for t, out in enumerate(outs):
        expected = np.roll(mask, shift * t, axis=1)
        inter = np.logical_and(out == 1, expected == 1).sum()
        union = np.logical_or(out == 1, expected == 1).sum()
        assert inter / union > 0.9, (t, inter / union)
    # copying would have stayed put: the last mask really moved
    assert np.logical_and(outs[-1] == 1, mask == 1).sum() < 0.6 * mask.sum()


def test_registered_model_and_presets():
    register_all_modules(init_default_scope=False)
    model = MODELS.build(dict(type='DISFlowPropagation', test_cfg=dict(preset='fast')))
    assert isinstance(model, DISFlowPropagation) and len(model.state_dict()) == 0
    assert isinstance(model.build_segmenter(preset='ultrafast'), DISFlowPropagator)
    with pytest.raises(ValueError, match='DIS preset must be one of'):
        model.build_segmenter(preset='slow')
    with pytest.raises(ValueError, match="did you mean 'preset'"):
        DISFlowPropagation(test_cfg=dict(presets='fast'))
