"""MemoryBank: config build, new classes, confidence, reporting, errors."""
import pytest
import torch

from shls.models.memory import MemoryBank, MemoryReadout, select_confident
from shls.registry import MODELS


def _fitted(**kwargs) -> MemoryBank:
    torch.manual_seed(0)
    bank = MODELS.build(dict(type='MemoryBank', kmeans=dict(num_restarts=1), **kwargs))
    bank.fit(torch.randn(30, 8), torch.tensor([0] * 20 + [2] * 10))
    return bank


def test_build_and_readout_shapes():
    bank = _fitted()
    out = bank.query(torch.randn(7, 8))
    assert isinstance(out, MemoryReadout)
    assert out.short.shape == out.long.shape == (7, 2)
    assert out.classes.tolist() == [0, 2]
    assert out.vote.dtype == torch.int64 and set(out.vote.tolist()) <= {0, 2}
    assert bank.num_entries == {0: 20, 2: 10} and bank.total_entries == 30
    # pools (30x8 float + ids) + 2 centroids per class + the index copy of the keys
    assert bank.nbytes == 30 * 8 * 4 + 30 * 8 + 4 * 8 * 4 + 30 * 8 * 4


def test_add_class_later():
    bank = _fitted()
    bank.add_classes(torch.randn(4, 8), torch.full((4,), 1))
    assert bank.classes.tolist() == [0, 1, 2]
    assert bank.pool(1).num_first == 4 and bank.pool(1).ids.tolist() == [30, 31, 32, 33]
    out = bank.query(bank.pool(1).features)
    assert out.short.shape == (4, 3)
    assert out.vote.tolist() == [1, 1, 1, 1]  # each is its own nearest neighbour
    bank.update(torch.randn(50, 8), torch.full((50,), 1))
    assert bank.num_entries[1] == 40  # cap 10 x 4
    with pytest.raises(ValueError, match='already in memory'):
        bank.add_classes(torch.randn(2, 8), torch.tensor([1, 3]))
    with pytest.raises(ValueError, match='not in memory'):
        bank.update(torch.randn(2, 8), torch.tensor([0, 5]))


def test_update_confidence_float_and_mask():
    bank = _fitted(confidence_thr=0.5)
    bank.update(torch.randn(4, 8), torch.zeros(4, dtype=torch.long),
                confidence=torch.tensor([0.9, 0.1, 0.5, 0.2]))
    assert bank.num_entries[0] == 22
    bank.update(torch.randn(3, 8), torch.full((3,), 2), confidence=torch.tensor([1, 0, 1]).bool())
    assert bank.num_entries[2] == 12


def test_select_confident_rules():
    probs = torch.tensor([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    assert select_confident(probs, 0.65).tolist() == [True, True, False, True]
    # relative: class-0 mean 0.75 -> need >= 0.6; class-1 mean 0.75 -> need >= 0.6
    assert select_confident(probs, 0.8, relative=True).tolist() == [True, True, True, True]
    cols = torch.tensor([0, 0, 0, 1])  # p = 0.9, 0.3, 0.6 (mean 0.6) and 0.8
    assert select_confident(probs, 0.8, cols, relative=True).tolist() == [True, False, True, True]
    bank = _fitted(confidence_thr=0.65, confidence_relative=False)
    assert bank.select_confident(probs, labels=torch.tensor([0, 2, 0, 2])).tolist() == \
        [True, True, False, True]


def test_errors_and_reset():
    bank = MemoryBank()
    with pytest.raises(RuntimeError, match='fit'):
        bank.query(torch.randn(2, 8))
    with pytest.raises(ValueError):
        MemoryBank(k=0)
    bank = _fitted()
    bank.reset()
    assert not bank.is_fitted and bank.total_entries == 0
