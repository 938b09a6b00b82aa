"""Spherical k-means: determinism, warm start, empty clusters, cluster rules."""
import torch
import torch.nn.functional as F

from shls.models.memory import ClusterRule, MemoryBank, SphericalKMeans, spherical_kmeans


def _blobs(n_per: int = 30, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    centres = torch.eye(3, 8)
    x = centres.repeat_interleave(n_per, 0) + 0.05 * torch.randn(3 * n_per, 8, generator=g)
    return F.normalize(x, dim=1)


def test_deterministic_and_recovers_clusters():
    x = _blobs()
    a = SphericalKMeans(seed=7)(x, 3, class_id=1)
    b = SphericalKMeans(seed=7)(x, 3, class_id=1)
    assert torch.equal(a, b)
    # each true centre is matched by one centroid
    assert (a @ torch.eye(3, 8).T).amax(dim=0).min() > 0.99


def test_warm_start_keeps_converged_centroids():
    x = _blobs()
    kmeans = SphericalKMeans(num_restarts=3)
    cold = kmeans(x, 3)
    warm = kmeans(x, 3, init=cold)
    assert torch.equal(warm, cold)


def test_warm_start_in_bank_when_nothing_changes():
    x = _blobs()
    bank = MemoryBank(cluster_rule=dict(fixed_clusters=3))
    labels = torch.tensor([0] * 45 + [1] * 45)
    bank.fit(x, labels)
    before = {c: bank.pool(c).centroids.clone() for c in (0, 1)}
    bank.update(x[:5], labels[:5], confidence=torch.zeros(5, dtype=torch.bool))
    bank.update(x[:3], labels[:3])  # only class 0 changes
    assert torch.equal(bank.pool(1).centroids, before[1])
    assert bank.pool(0).centroids.shape == before[0].shape


def test_empty_cluster_reseeded_deterministically():
    x = _blobs(10)
    init = torch.cat([torch.eye(3, 8)[:2], -torch.eye(3, 8)[2:3]])  # third centroid empty
    generator = torch.Generator().manual_seed(0)
    centroids, _ = spherical_kmeans(x, 3, 50, generator, init=init)
    assert centroids.shape == (3, 8)
    assert torch.allclose(centroids.norm(dim=1), torch.ones(3))
    assert (centroids @ torch.eye(3, 8).T).amax(dim=0).min() > 0.99


def test_cluster_rules():
    assert ClusterRule()(500) == 2  # released code: always 2
    variable = ClusterRule(fixed_clusters=None, points_per_cluster=10, min_clusters=2,
                           max_clusters=30)
    assert [variable(n) for n in (1, 5, 25, 45, 1000)] == [2, 2, 3, 5, 30]


def test_variable_rule_in_bank():
    torch.manual_seed(0)
    bank = MemoryBank(cluster_rule=dict(fixed_clusters=None, points_per_cluster=10),
                      kmeans=dict(num_restarts=1))
    labels = torch.tensor([0] * 100 + [1] * 30 + [2])
    bank.fit(torch.randn(131, 8), labels)
    assert [len(bank.pool(c).centroids) for c in (0, 1, 2)] == [10, 3, 1]  # 1 point -> 1
    bank.update(torch.randn(4, 8), torch.full((4,), 2))
    assert len(bank.pool(2).centroids) == 2  # pool grew: the missing centroid is seeded
