"""Short-term KNN scores, the weighted vote and long-term scores, hand-computed."""
import pytest
import torch

from shls.models.memory import (MemoryBank, long_term_scores, short_term_scores,
                                weighted_vote)


def test_knn_scores_hand_computed():
    bank = MemoryBank(kmeans=dict(num_restarts=1))
    keys = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    bank.fit(keys, torch.tensor([0, 1, 1]))
    out = bank.query(torch.tensor([[0.8, 0.6]]))
    # neighbours: (0.6, 0.8) sim 0.96 class 1 (w 1), (1, 0) sim 0.8 class 0 (w 0.5)
    expected = torch.tensor([[0.5 * 0.8 / 1.5, 0.96 / 1.5]])
    assert torch.allclose(out.short, expected, atol=1e-6)
    assert out.vote.tolist() == [1]
    assert out.classes.tolist() == [0, 1]
    # long-term: class 0 has one centroid (1, 0); class 1 at most 2 (its two points)
    assert out.long[0, 0].item() == pytest.approx(0.8, abs=1e-6)
    assert out.long[0, 1].item() == pytest.approx(0.96, abs=1e-6)


def test_same_class_neighbours():
    sims = torch.tensor([[0.9, 0.6]])
    cols = torch.tensor([[1, 1]])
    scores, votes = short_term_scores(sims, cols, 2, 0.5)
    assert torch.allclose(scores, torch.tensor([[0.0, (0.9 + 0.5 * 0.6) / 1.5]]))
    assert torch.allclose(votes, torch.tensor([[0.0, 1.5]]))


def test_vote_tie_broken_by_similarity():
    # ratio 1, k = 4: A 0.99, B 0.98, B 0.97, A 0.5 -> weights tie 2 : 2, B scores more
    sims = torch.tensor([[0.99, 0.98, 0.97, 0.5]])
    cols = torch.tensor([[0, 1, 1, 0]])
    scores, votes = short_term_scores(sims, cols, 2, 1.0)
    assert weighted_vote(scores, votes).tolist() == [1]
    scores, votes = short_term_scores(sims, cols, 2, 0.5)  # weights 1.25 : 0.75
    assert weighted_vote(scores, votes).tolist() == [0]


def test_long_term_scores_max_per_class():
    queries = torch.tensor([[1.0, 0.0]])
    centroids = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-1.0, 0.0]])
    cols = torch.tensor([0, 1, 1, 2])
    out = long_term_scores(queries, centroids, cols, 3)
    assert torch.allclose(out, torch.tensor([[1.0, 0.6, -1.0]]))


def test_k_larger_than_memory():
    bank = MemoryBank(k=5, kmeans=dict(num_restarts=1))
    bank.fit(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 1]))
    out = bank.query(torch.tensor([[1.0, 0.0]]))
    assert torch.allclose(out.short, torch.tensor([[1.0 / 1.5, 0.0]]), atol=1e-6)
