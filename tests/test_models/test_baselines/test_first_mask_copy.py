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
    with pytest.raises(NotImplementedError, match='build_segmenter'):
        model(None)


def test_every_frame_is_the_first_mask():
    rng = np.random.default_rng(0)
    seg = FirstMaskCopy().build_segmenter()
    mask = (rng.random((12, 16)) > 0.5).astype(np.uint8) * 2
    frames = rng.integers(0, 255, (5, 12, 16, 3), dtype=np.uint8)
    outs = [seg.step(frames[0], mask)] + [seg.step(f) for f in frames[1:]]
    for out in outs:
        np.testing.assert_array_equal(out, mask)
