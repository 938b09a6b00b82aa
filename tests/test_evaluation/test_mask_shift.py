"""shift_objects: objects grow into the background only and shrink away from other ids."""
import numpy as np

from shls.evaluation.functional import shift_objects


def _square(size=40, lo=10, hi=30, value=1):
    mask = np.zeros((size, size), np.uint8)
    mask[lo:hi, lo:hi] = value
    return mask


def test_a_square_grows_and_shrinks_by_the_shift():
    mask = _square()
    shrunk = shift_objects(mask, -2)
    assert np.array_equal(np.argwhere(shrunk == 1).min(0), [12, 12])
    assert np.array_equal(np.argwhere(shrunk == 1).max(0), [27, 27])
    grown = shift_objects(mask, 2)
    assert np.array_equal(np.argwhere(grown == 1).min(0), [8, 8])
    assert (grown[mask == 1] == 1).all() and 400 < (grown == 1).sum() < 24 ** 2
    unchanged = shift_objects(mask, 0)
    assert np.array_equal(unchanged, mask) and unchanged is not mask


def test_objects_never_take_each_other_or_void():
    mask = _square()
    mask[10:30, 20:30] = 2  # two objects side by side
    mask[0:5, :] = 255      # a void strip above
    mask[10:30, 5:9] = 255  # and one left of object 1
    grown = shift_objects(mask, 3)
    assert (grown[mask == 255] == 255).all()
    assert (grown[mask == 1] == 1).all() and (grown[mask == 2] == 2).all()
    shrunk = shift_objects(mask, -3)
    assert (shrunk[mask == 255] == 255).all()
    assert set(np.unique(shrunk[:, 17:23])) == {0, 255}  # both pulled back from the seam
    assert shrunk[20, 13] == 1 and shrunk[20, 25] == 2


def test_a_thin_object_vanishes_when_shrunk():
    mask = _square()
    mask[35, 5:35] = 3  # one pixel thick
    shrunk = shift_objects(mask, -1)
    assert 3 not in shrunk and (shrunk == 1).sum() == 18 * 18
