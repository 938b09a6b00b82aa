"""Eq. 4, attention maps and the seed code's outlier filter."""
import pytest
import torch

from shls.models.memory import (attention_maps, eq4_scores, filter_vote_outliers, others_max,
                                presegment_eq4)

SHORT = torch.tensor([[0.2, 0.7, 0.1], [0.5, 0.1, 0.45]])
LONG = torch.tensor([[0.3, 0.6, 0.2], [0.1, 0.3, 0.8]])
CLASSES = torch.tensor([0, 3, 7])


def test_others_max():
    assert torch.allclose(others_max(SHORT), torch.tensor([[0.7, 0.2, 0.7], [0.45, 0.5, 0.5]]))
    tied = torch.tensor([[0.4, 0.4, 0.1]])
    assert torch.allclose(others_max(tied), torch.tensor([[0.4, 0.4, 0.4]]))
    assert torch.equal(others_max(torch.ones(2, 1)), torch.zeros(2, 1))


def test_eq4_hand_computed():
    # row 0: [0.5 - 1.3, 1.3 - 0.5, 0.3 - 1.3]; row 1: [0.6 - 1.25, 0.4 - 1.3, 1.25 - 0.8]
    expected = torch.tensor([[-0.8, 0.8, -1.0], [-0.65, -0.9, 0.45]])
    assert torch.allclose(eq4_scores(SHORT, LONG), expected, atol=1e-6)
    # row 1: the short-term argmax (background) loses to class 7
    assert presegment_eq4(SHORT, LONG, CLASSES).tolist() == [3, 7]


def test_attention_maps_values():
    maps = attention_maps(SHORT, LONG, CLASSES)
    assert maps.shape == (2, 2, 4)
    expected = torch.tensor([[[0.7, 0.2, 0.6, 0.3], [0.1, 0.7, 0.2, 0.6]],
                             [[0.1, 0.5, 0.3, 0.8], [0.45, 0.5, 0.8, 0.3]]])
    assert torch.allclose(maps, expected)
    only7 = attention_maps(SHORT, LONG, CLASSES, object_ids=torch.tensor([7]))
    assert torch.equal(only7, maps[:, 1:])
    with pytest.raises(ValueError):
        attention_maps(SHORT, LONG, CLASSES, object_ids=torch.tensor([5]))


def test_outlier_filter():
    vote = torch.zeros(20, 20, dtype=torch.long)
    vote[2:6, 2:6] = 1  # blob A, overlaps the previous mask
    vote[8:11, 8:11] = 1  # blob C, overlaps
    vote[6, 6] = 1  # tiny blob D: overlap 1 / 81 < 5 %, but inside the hull of A and C
    vote[2:4, 15:18] = 1  # blob B: far away, no overlap -> removed
    vote[5, 9] = 2  # object 2 inside the hull is untouched by object 1's filter ...
    vote[15:18, 15:18] = 2  # ... but object 2 has no previous mask -> removed
    prev = torch.zeros(20, 20, dtype=torch.long)
    prev[2:11, 2:11] = 1
    out = filter_vote_outliers(vote, prev)
    expected = vote.clone()
    expected[2:4, 15:18] = 0
    expected[vote == 2] = 0
    assert torch.equal(out, expected)
    assert out.dtype == vote.dtype
    only1 = filter_vote_outliers(vote, prev, object_ids=[1])
    assert only1[5, 9] == 2 and only1[16, 16] == 2 and only1[2, 16] == 0
