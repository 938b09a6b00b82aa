"""MaskPropagator: the streaming interface shared by the training-free baselines."""
import numpy as np
import pytest

from shls.models.baselines import CopyPropagator


def frame(h: int = 6, w: int = 8) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def test_first_frame_needs_a_mask_and_void_becomes_background():
    seg = CopyPropagator()
    with pytest.raises(RuntimeError, match='first frame needs a mask'):
        seg.step(frame())
    mask = np.zeros((6, 8), np.uint8)
    mask[1:3, 1:3], mask[4, :] = 1, 255
    out = seg.step(frame(), mask)
    assert out.dtype == np.uint8 and out[4].max() == 0 and out[1, 1] == 1
    assert seg.objects == [1] and seg.frame_index == 1


def test_later_masks_complete_or_per_object():
    seg = CopyPropagator()
    first = np.zeros((6, 8), np.uint8)
    first[0:2, 0:2], first[4:6, 4:6] = 1, 2
    seg.step(frame(), first)
    # complete annotation: replaces everything except void
    full = np.full((6, 8), 255, np.uint8)
    full[0, 0] = 0
    out = seg.step(frame(), full)
    assert out[0, 0] == 0 and out[1, 1] == 1 and out[5, 5] == 2
    # objects=[3]: a new object added, the others kept
    add = np.zeros((6, 8), np.uint8)
    add[2:4, 6:8] = 3
    out = seg.step(frame(), add, objects=[3])
    assert set(np.unique(out)) == {0, 1, 2, 3} and out[1, 1] == 1 and out[2, 6] == 3
    # objects=[2]: object 2 moves; its old pixels become background
    move = np.zeros((6, 8), np.uint8)
    move[0, 6:8] = 2
    out = seg.step(frame(), move, objects=[2])
    assert out[5, 5] == 0 and out[0, 7] == 2 and out[2, 6] == 3
    with pytest.raises(ValueError, match='absent from the mask'):
        seg.step(frame(), move, objects=[4])


def test_first_mask_with_objects_ignores_other_ids():
    mask = np.zeros((6, 8), np.uint8)
    mask[0, 0], mask[5, 5] = 1, 2
    out = CopyPropagator().step(frame(), mask, objects=[2])
    assert out[0, 0] == 0 and out[5, 5] == 2


@pytest.mark.parametrize('mask, pattern', [
    (np.zeros((5, 8), np.uint8), 'differs from the frame shape'),
    (np.zeros((6, 8), np.float32), 'integer ids'),
    (np.full((6, 8), 300, np.int32), 'must be in 0..255'),
])
def test_bad_masks(mask, pattern):
    with pytest.raises(ValueError, match=pattern):
        CopyPropagator().step(frame(), mask)


def test_frame_size_must_not_change_and_reset_forgets():
    seg = CopyPropagator()
    seg.step(frame(), np.ones((6, 8), np.uint8))
    with pytest.raises(ValueError, match='the video started at 8x6'):
        seg.step(frame(4, 4))
    seg.reset()
    assert seg.objects == [] and seg.step(frame(4, 4), np.ones((4, 4), np.uint8)).sum() == 16
