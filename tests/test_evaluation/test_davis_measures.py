"""J, F and the per-object statistics of the DAVIS protocol, against hand/naive values."""
import math

import numpy as np
import pytest

from shls.evaluation.functional import (boundary_f_measure, boundary_tolerance, measure_statistics,
                                        object_measures, region_similarity, seg2bmap)


def square(shape=(40, 50), top=10, left=12, size=12):
    mask = np.zeros(shape, dtype=bool)
    mask[top:top + size, left:left + size] = True
    return mask


def naive_bmap(mask):
    """Boundary map straight from its definition, pixel by pixel."""
    h, w = mask.shape
    out = np.zeros((h, w), dtype=bool)
    for y in range(h):
        for x in range(w):
            if y == h - 1 and x == w - 1:
                continue
            if y == h - 1:
                out[y, x] = mask[y, x] != mask[y, x + 1]
            elif x == w - 1:
                out[y, x] = mask[y, x] != mask[y + 1, x]
            else:
                out[y, x] = (mask[y, x] != mask[y, x + 1] or mask[y, x] != mask[y + 1, x]
                             or mask[y, x] != mask[y + 1, x + 1])
    return out


def naive_f(pred, gt, radius):
    """F with matching = a boundary pixel of the other map within Euclidean distance."""
    pb, gb = naive_bmap(pred), naive_bmap(gt)
    p_pts, g_pts = np.argwhere(pb), np.argwhere(gb)

    def matched(src, dst):
        d2 = ((src[:, None, :] - dst[None, :, :])**2).sum(-1)
        return int((d2 <= radius * radius).any(axis=1).sum())

    precision = matched(p_pts, g_pts) / len(p_pts)
    recall = matched(g_pts, p_pts) / len(g_pts)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def test_region_similarity_hand_values():
    gt = square()
    empty = np.zeros_like(gt)
    assert region_similarity(empty, gt) == 0.0
    assert region_similarity(gt, empty) == 0.0
    assert region_similarity(empty, empty) == 1.0
    assert region_similarity(gt, gt) == 1.0
    shifted = np.roll(gt, 3, axis=1)  # 12x12 square moved 3 px: overlap 12x9
    assert region_similarity(shifted, gt) == pytest.approx(108 / (144 + 144 - 108))


def test_region_similarity_void_and_stack():
    gt = square()
    pred = gt.copy()
    pred[0:5, 0:5] = True  # 25 false-positive pixels
    void = np.zeros_like(gt)
    void[0:5, 0:5] = True
    assert region_similarity(pred, gt) == pytest.approx(144 / 169)
    assert region_similarity(pred, gt, void) == 1.0
    stack = region_similarity(np.stack([pred, gt]), np.stack([gt, gt]))
    np.testing.assert_allclose(stack, [144 / 169, 1.0])


def test_seg2bmap_matches_definition():
    rng = np.random.default_rng(0)
    for _ in range(5):
        mask = rng.random((13, 17)) > 0.6
        np.testing.assert_array_equal(seg2bmap(mask), naive_bmap(mask))
    full = np.ones((6, 7), dtype=bool)  # touches all borders: no boundary at all
    assert not seg2bmap(full).any()


def test_boundary_tolerance():
    assert boundary_tolerance((480, 854)) == 8  # ceil(0.008 * 979.6)
    assert boundary_tolerance((100, 100), 0.008) == math.ceil(0.008 * math.hypot(100, 100))
    assert boundary_tolerance((100, 100), 3) == 3


def test_boundary_f_empty_conventions():
    gt = square()
    empty = np.zeros_like(gt)
    assert boundary_f_measure(empty, empty) == 1.0
    assert boundary_f_measure(empty, gt) == 0.0
    assert boundary_f_measure(gt, empty) == 0.0
    assert boundary_f_measure(gt, gt) == 1.0


@pytest.mark.parametrize('shift,radius', [(2, 3), (5, 3), (4, 1), (20, 3)])
def test_boundary_f_shifted_square_matches_naive(shift, radius):
    gt = square()
    pred = np.roll(gt, shift, axis=1)
    expected = naive_f(pred, gt, radius)
    assert boundary_f_measure(pred, gt, bound_th=radius) == pytest.approx(expected)
    if shift <= radius:
        assert expected == 1.0


def test_boundary_f_frames_stack():
    gt = square()
    pred = np.stack([gt, np.roll(gt, 5, axis=0), np.zeros_like(gt)])
    f = boundary_f_measure(pred, np.stack([gt] * 3), bound_th=2)
    assert f.shape == (3, )
    assert f[0] == 1.0 and 0 < f[1] < 1 and f[2] == 0.0


def test_object_measures_multi_object():
    gt = np.zeros((30, 40), dtype=np.uint8)
    gt[2:10, 2:10] = 1
    gt[15:25, 20:35] = 2
    pred = np.where(gt == 1, 1, 0).astype(np.uint8)  # object 2 never predicted
    j, f = object_measures(pred, gt, num_objects=3)
    np.testing.assert_allclose(j, [1.0, 0.0, 1.0])  # object 3: empty in both
    np.testing.assert_allclose(f, [1.0, 0.0, 1.0])


def test_measure_statistics_hand_series():
    mean, recall, decay = measure_statistics([0.9, 0.8, 0.6, 0.5, 0.1])
    # 5 frames: bins [0,1], [1,2], [2,3], [3,4]; 0.5 is not > 0.5.
    assert mean == pytest.approx(0.58)
    assert recall == pytest.approx(3 / 5)
    assert decay == pytest.approx(0.85 - 0.3)
    mean, recall, decay = measure_statistics([1, 1, 1, 1, 0, 0, 0, 0])
    assert (mean, recall, decay) == pytest.approx((0.5, 0.5, 1.0))


def test_measure_statistics_halves_round_up():
    # 7 frames: bin edges round(1, 2.5, 4, 5.5, 7) - 1 with halves up = 0, 2, 3, 5, 6,
    # so the first bin is frames 0..2 (banker's rounding would give 0..1).
    _, _, decay = measure_statistics([1, 1, 0, 0, 0, 0, 0])
    assert decay == pytest.approx(2 / 3)
    assert measure_statistics([0.7]) == pytest.approx((0.7, 1.0, 0.0))
    with pytest.raises(ValueError):
        measure_statistics([])
