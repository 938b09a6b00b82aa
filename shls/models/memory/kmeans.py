"""Spherical k-means in torch: k-means++ seeding, cosine Lloyd iterations, warm start.

Points and centroids are L2-normalised rows; similarity is the inner product. Random
draws use a CPU ``torch.Generator`` so results are the same on every device.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import MODELS
from shls.utils.errors import ConfigError


def kmeans_plusplus(x: Tensor, n_clusters: int, generator: torch.Generator,
                    init: Optional[Tensor] = None) -> Tensor:
    """k-means++ seeding on the unit sphere (weights ``1 - cos`` to the nearest seed).

    Args:
        x: ``(N, D)`` normalised points, ``N >= 1``.
        n_clusters: Number of seeds wanted.
        generator: CPU generator for the draws.
        init: Optional ``(k0, D)`` seeds to extend (warm start with more clusters).

    Returns:
        ``(n_clusters, D)`` seeds (points of ``x`` beyond the given ``init``).
    """
    if init is None or init.shape[0] == 0:
        first = int(torch.randint(x.shape[0], (1,), generator=generator))
        centroids = x[first:first + 1]
    else:
        centroids = init[:n_clusters]
    dist = (1 - (x @ centroids.T).amax(dim=1)).clamp_min(0)
    while centroids.shape[0] < n_clusters:  # one pass per cluster (<= ~30)
        weights = dist.double().cpu()
        if float(weights.sum()) > 0:
            idx = int(torch.multinomial(weights, 1, generator=generator))
        else:  # every point sits on a seed: repeat one deterministically
            idx = centroids.shape[0] % x.shape[0]
        centroids = torch.cat([centroids, x[idx:idx + 1]])
        dist = torch.minimum(dist, (1 - x @ x[idx]).clamp_min(0))
    return centroids


def _update_centroids(x: Tensor, assign: Tensor, best: Tensor, n_clusters: int) -> Tensor:
    """Normalised means; an empty cluster takes the worst-fitting point (deterministic)."""
    sums = x.new_zeros(n_clusters, x.shape[1]).index_add_(0, assign, x)
    counts = torch.bincount(assign, minlength=n_clusters)
    centroids = F.normalize(sums, dim=1)
    empty = counts == 0
    num_empty = int(empty.sum())
    if num_empty:
        worst = torch.argsort(best, stable=True)[:num_empty]
        centroids[empty] = x[worst]
    return centroids


def spherical_kmeans(x: Tensor, n_clusters: int, num_iters: int, generator: torch.Generator,
                     init: Optional[Tensor] = None) -> Tuple[Tensor, float]:
    """Lloyd iterations with cosine assignment, stopping when assignments repeat.

    Args:
        x: ``(N, D)`` normalised points.
        n_clusters: Number of clusters, ``1 <= n_clusters <= N``.
        num_iters: Maximum number of iterations.
        generator: CPU generator for k-means++ seeding.
        init: Optional ``(k0, D)`` starting centroids (warm start). Missing ones are
            seeded by k-means++, surplus ones dropped.

    Returns:
        ``(centroids (n_clusters, D), objective)``, objective = mean max similarity.
        When ``init`` is a converged solution for ``x``, the same centroids come back.
    """
    if init is not None and init.shape[0] >= n_clusters:
        centroids = init[:n_clusters]
    else:
        centroids = kmeans_plusplus(x, n_clusters, generator, init)
    previous = None
    for _ in range(num_iters):
        best, assign = (x @ centroids.T).max(dim=1)
        if previous is not None and torch.equal(assign, previous):
            break
        centroids = _update_centroids(x, assign, best, n_clusters)
        previous = assign
    objective = float((x @ centroids.T).amax(dim=1).mean())
    return centroids, objective


@MODELS.register_module()
class SphericalKMeans:
    """Configured spherical k-means: cold start with restarts, warm start without.

    Args:
        num_iters: Maximum Lloyd iterations (the seed code: 300; stops early on
            convergence).
        num_restarts: k-means++ restarts on a cold start; the best objective wins
            (the seed code: 10).
        seed: Base seed; the generator of class ``c`` is seeded with ``seed + c``.
    """

    def __init__(self, num_iters: int = 300, num_restarts: int = 10, seed: int = 1234) -> None:
        if num_iters < 1 or num_restarts < 1:
            raise ConfigError(f'num_iters and num_restarts must be >= 1, got {num_iters}, '
                              f'{num_restarts}')
        self.num_iters = int(num_iters)
        self.num_restarts = int(num_restarts)
        self.seed = int(seed)

    def __call__(self, x: Tensor, n_clusters: int, class_id: int = 0,
                 init: Optional[Tensor] = None) -> Tensor:
        """Cluster ``x`` (normalised rows) into ``min(n_clusters, len(x))`` centroids.

        Args:
            x: ``(N, D)`` normalised points, ``N >= 1``.
            n_clusters: Requested number of clusters.
            class_id: Offsets the seed so each class draws independently.
            init: Previous centroids for a warm start (one run, no restarts).

        Returns:
            ``(min(n_clusters, N), D)`` centroids on ``x.device``.
        """
        n_clusters = max(1, min(int(n_clusters), x.shape[0]))
        generator = torch.Generator().manual_seed(self.seed + int(class_id))
        if init is not None:
            return spherical_kmeans(x, n_clusters, self.num_iters, generator, init)[0]
        best_centroids, best_objective = None, -float('inf')
        for _ in range(self.num_restarts):
            centroids, objective = spherical_kmeans(x, n_clusters, self.num_iters, generator)
            if objective > best_objective:
                best_centroids, best_objective = centroids, objective
        return best_centroids

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_iters={self.num_iters}, '
                f'num_restarts={self.num_restarts}, seed={self.seed})')
