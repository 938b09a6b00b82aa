"""Pool capping: FIFO with protected leading entries, cap 0, max_total, streaming."""
import torch

from shls.models.memory import MemoryBank, capped_indices


def _bank(**kwargs) -> MemoryBank:
    kwargs.setdefault('kmeans', dict(num_restarts=1, num_iters=20))
    return MemoryBank(**kwargs)


def test_capped_indices_exact():
    assert capped_indices(5, 10, 4, torch.device('cpu')).tolist() == [0, 1, 2, 3, 4]
    kept = capped_indices(27, 20, 10, torch.device('cpu')).tolist()
    assert kept == list(range(10)) + list(range(17, 27))


def test_fifo_keeps_first_entries_and_drops_oldest():
    torch.manual_seed(0)
    bank = _bank(cap_factor=10, keep_factor=5)
    bank.fit(torch.randn(4, 8), torch.tensor([0, 0, 1, 1]))  # n_c = 2 -> cap 20, keep 10
    assert bank.pool(1).ids.tolist() == [2, 3]
    bank.update(torch.randn(15, 8), torch.ones(15, dtype=torch.long))  # ids 4..18
    assert bank.pool(1).ids.tolist() == [2, 3] + list(range(4, 19))  # 17 <= 20
    bank.update(torch.randn(10, 8), torch.ones(10, dtype=torch.long))  # ids 19..28
    ids = bank.pool(1).ids.tolist()
    # 27 entries: first 10 protected (ids 2..11), then the newest 10 (ids 19..28)
    assert ids == list(range(2, 12)) + list(range(19, 29))
    assert bank.num_entries == {0: 2, 1: 20}
    # features follow their ids
    assert bank.pool(1).features.shape == (20, 8)


def test_cap_zero_freezes_memory():
    for kwargs in (dict(cap_factor=0), dict(max_total=0)):
        bank = _bank(**kwargs)
        feats = torch.randn(6, 8)
        bank.fit(feats, torch.tensor([0, 0, 0, 1, 1, 1]))
        centroids = bank.pool(1).centroids.clone()
        bank.update(torch.randn(50, 8), torch.ones(50, dtype=torch.long))
        assert bank.num_entries == {0: 3, 1: 3}
        assert torch.equal(bank.pool(1).centroids, centroids)
        assert not bank.updates_enabled


def test_max_total_shares_budget():
    torch.manual_seed(0)
    bank = _bank(max_total=40)  # n = (30, 10) -> shares 30, 10; keep = share // 2
    bank.fit(torch.randn(40, 8), torch.tensor([0] * 30 + [1] * 10))
    for _ in range(5):
        bank.update(torch.randn(20, 8), torch.randint(0, 2, (20,)))
        assert bank.total_entries <= 40
    assert bank.num_entries == {0: 30, 1: 10}
    assert bank.pool(0).ids[:15].tolist() == list(range(15))
    assert bank.pool(1).ids[:5].tolist() == list(range(30, 35))


def test_streaming_200_updates_stays_bounded():
    torch.manual_seed(0)
    bank = _bank(cap_factor=4, keep_factor=2)
    labels = torch.tensor([0] * 20 + [1] * 10 + [2] * 5)
    bank.fit(torch.randn(35, 16), labels)
    first_ids = {c: bank.pool(c).ids.clone() for c in (0, 1, 2)}
    for _ in range(200):
        bank.update(torch.randn(12, 16), torch.randint(0, 3, (12,)))
        assert bank.total_entries <= 4 * 35
    assert bank.num_entries == {0: 80, 1: 40, 2: 20}
    for c, ids in first_ids.items():  # frame-0 entries are protected
        assert torch.equal(bank.pool(c).ids[:len(ids)], ids)
    size = bank.nbytes
    bank.update(torch.randn(12, 16), torch.randint(0, 3, (12,)))
    assert bank.nbytes == size
