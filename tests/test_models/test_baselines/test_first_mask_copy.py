"""FirstMaskCopy: a registered model without weights whose segmenter repeats the mask."""
import numpy as np
import pytest

from shls.models.baselines import CopyPropagator, FirstMaskCopy
from shls.registry import MODELS
from shls.utils import register_all_modules


def test_registered_without_weights():
    register_all_modules(init_default_scope=False)
    model = MODELS.build(dict(type='FirstMaskCopy'))
    assert isinstance(model, FirstMaskCopy) and len(model.state_dict()) == 0
    assert isinstance(model.build_segmenter(), CopyPropagator)
    with pytest.raises(ValueError, match="unknown test_cfg key 'preset'"):
        model.build_segmenter(preset='medium')
    with pytest.raises(RuntimeError, match='no loss'):
        model([], [], mode='loss')


def test_forward_segments_whole_videos():
    rng = np.random.default_rng(1)
    videos = [rng.integers(0, 255, (n, 8, 10, 3), dtype=np.uint8) for n in (3, 2)]
    masks = [np.eye(8, 10, dtype=np.uint8), 2 * np.eye(8, 10, dtype=np.uint8)]
    outs = FirstMaskCopy()(videos, masks)
    assert [o.shape for o in outs] == [(3, 8, 10), (2, 8, 10)]
    for out, mask in zip(outs, masks):
        assert (out == mask).all()
    with pytest.raises(ValueError, match='one first mask per video'):
        FirstMaskCopy()(videos, masks[:1])


def test_every_frame_is_the_first_mask():
    rng = np.random.default_rng(0)
    seg = FirstMaskCopy().build_segmenter()
    mask = (rng.random((12, 16)) > 0.5).astype(np.uint8) * 2
    frames = rng.integers(0, 255, (5, 12, 16, 3), dtype=np.uint8)
    outs = [seg.step(frames[0], mask)] + [seg.step(f) for f in frames[1:]]
    for out in outs:
        np.testing.assert_array_equal(out, mask)
