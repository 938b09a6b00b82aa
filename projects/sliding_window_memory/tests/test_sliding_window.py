"""SlidingWindowMemoryBank keeps the first entries plus the last K frames."""
import os.path as osp
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


@pytest.fixture()
def bank_cls(monkeypatch):
    monkeypatch.syspath_prepend(ROOT)
    from projects.sliding_window_memory.sliding_window import SlidingWindowMemoryBank
    return SlidingWindowMemoryBank


def _frame(n: int, label: int) -> tuple:
    return torch.randn(n, 8), torch.full((n, ), label)


def test_window_keeps_first_and_last_frames(bank_cls):
    torch.manual_seed(0)
    bank = bank_cls(window=2, kmeans=dict(num_restarts=1))
    bank.fit(torch.randn(6, 8), torch.tensor([0, 0, 0, 0, 1, 1]))
    first_ids = bank.pool(0).ids.tolist()
    for _ in range(5):
        bank.update(*_frame(3, 0))
    # 4 first entries + 2 frames x 3; the newest ids survive
    assert bank.num_entries[0] == 4 + 6
    assert bank.pool(0).ids[:4].tolist() == first_ids
    assert bank.pool(0).ids[4:].tolist() == list(range(bank._next_id - 6, bank._next_id))
    # class 1 got nothing during the window: back to its first entries only
    assert bank.num_entries[1] == 2
    assert bank.query(torch.randn(4, 8)).short.shape == (4, 2)


def test_frames_without_a_class_expire_its_entries(bank_cls):
    torch.manual_seed(0)
    bank = bank_cls(window=2, kmeans=dict(num_restarts=1))
    bank.fit(torch.randn(4, 8), torch.tensor([0, 0, 1, 1]))
    bank.update(*_frame(5, 1))
    assert bank.num_entries[1] == 7
    bank.update(*_frame(1, 0))
    assert bank.num_entries[1] == 7  # still inside the window
    bank.update(*_frame(1, 0))
    assert bank.num_entries[1] == 2


def test_window_zero_freezes_and_errors(bank_cls):
    bank = bank_cls(window=0, kmeans=dict(num_restarts=1))
    bank.fit(torch.randn(4, 8), torch.tensor([0, 0, 1, 1]))
    bank.update(*_frame(5, 1))
    assert bank.num_entries == {0: 2, 1: 2}
    with pytest.raises(ValueError, match='window'):
        bank_cls(window=-1)
    assert 'window=0' in repr(bank)
    assert sys.modules['projects.sliding_window_memory.sliding_window'] is not None
