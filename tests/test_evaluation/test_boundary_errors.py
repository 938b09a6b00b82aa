"""Boundary misses split by cause: leaks and missed parts, sized against the object."""
import numpy as np
import pytest

from shls.evaluation.functional.boundary_errors import BoundaryErrors, boundary_errors
from shls.evaluation.functional.davis_measures import boundary_f_measure

H, W = 240, 320  # tolerance ceil(0.008 * 400) = 4 px


def square(top: int, left: int, side: int) -> np.ndarray:
    mask = np.zeros((H, W), bool)
    mask[top:top + side, left:left + side] = True
    return mask


def f_of(err: BoundaryErrors) -> float:
    p, r = err.precision, err.recall
    return 2 * p * r / (p + r)


def test_a_perfect_mask_misses_nothing():
    gt = square(50, 50, 100)
    err = boundary_errors(gt, gt)
    assert err.gt > 0 and err.pred == err.gt
    assert err.precision == err.recall == 1.0


def test_a_leak_costs_precision_and_is_sized_against_the_object():
    gt = square(50, 50, 100)
    pred = gt | square(150, 60, 30)  # a 30x30 'shadow' below: 9 % of the object
    err = boundary_errors(pred, gt)
    assert err.pred_leak[1] > 0 and err.pred_leak[[0, 2]].sum() == 0
    assert err.pred_missed_part.sum() == 0 and err.pred_other == 0
    # the ground-truth edge the leak covers is missed too, as a leak
    assert err.gt_leak[1] > 0 and err.gt_missed_part.sum() == 0
    assert err.recall < 1.0 and err.precision < 1.0
    assert f_of(err) == pytest.approx(boundary_f_measure(pred, gt))


def test_a_missed_thin_part_costs_recall():
    gt = square(50, 50, 100)
    gt[150:230, 95:103] = True  # a leg 8 px wide: > the 4 px tolerance, 6 % of the area
    pred = square(50, 50, 100)
    err = boundary_errors(pred, gt)
    assert err.gt_missed_part[1] > 0 and err.gt_leak.sum() == 0 and err.gt_other == 0
    assert err.precision == 1.0 and err.recall < 1.0
    assert f_of(err) == pytest.approx(boundary_f_measure(pred, gt))


def test_a_hole_costs_precision_as_a_missed_part_and_large_parts_are_large():
    gt = square(20, 20, 200)
    pred = gt & ~square(60, 60, 100)  # a hole of 25 % of the object
    err = boundary_errors(pred, gt)
    assert err.pred_missed_part[2] > 0 and err.pred_leak.sum() == 0
    assert err.recall == 1.0


def test_an_absent_object_predicted_is_a_leak_sized_against_the_frame():
    gt = np.zeros((H, W), bool)
    err = boundary_errors(square(10, 10, 20), gt)
    assert err.gt == 0 and err.recall == 1.0 and err.precision == 0.0
    assert err.pred_leak[0] == err.pred  # 400 px of a 76,800 px frame: small


def test_counts_add_over_frames():
    gt = square(50, 50, 100)
    a = boundary_errors(gt | square(150, 60, 30), gt)
    total = a + boundary_errors(gt, gt)
    assert total.gt == 2 * a.gt and total.pred_leak.tolist() == a.pred_leak.tolist()


def test_shapes_must_match():
    with pytest.raises(ValueError, match='one shape'):
        boundary_errors(np.zeros((4, 4), bool), np.zeros((4, 5), bool))
