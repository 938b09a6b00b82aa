"""How many long-term clusters a class gets."""
import math
from typing import Optional

from shls.registry import MODELS
from shls.utils.errors import ConfigError


@MODELS.register_module()
class ClusterRule:
    """Number of k-means clusters of a class, from its frame-0 superpixel count ``n_c``.

    Two rules, chosen by ``fixed_clusters``:

    * ``fixed_clusters=k`` (default ``2``): every class gets ``k`` clusters. ``2``
      reproduces the released SHLS code, whose rule ``max(2, floor(2 * n_c / n))``
      (``n`` = all frame-0 superpixels, so ``n_c / n <= 1``) is always ``2``.
    * ``fixed_clusters=None``: the paper's variable rule,
      ``clamp(round(n_c / points_per_cluster), min_clusters, max_clusters)``.

    Either way the caller clamps the result to the number of points in the pool.

    Args:
        fixed_clusters: Constant number of clusters, or ``None`` for the variable rule.
        points_per_cluster: Frame-0 superpixels per cluster (variable rule).
        min_clusters: Lower bound (variable rule).
        max_clusters: Upper bound (variable rule; the seed config's unused
            ``kmeans_max_clusters`` is 10 or 30).
    """

    def __init__(self, fixed_clusters: Optional[int] = 2, points_per_cluster: float = 10.0,
                 min_clusters: int = 2, max_clusters: int = 30) -> None:
        if fixed_clusters is not None and fixed_clusters < 1:
            raise ConfigError(f'fixed_clusters must be >= 1 or None, got {fixed_clusters}')
        if points_per_cluster <= 0:
            raise ConfigError(f'points_per_cluster must be > 0, got {points_per_cluster}')
        if not 1 <= min_clusters <= max_clusters:
            raise ConfigError(f'need 1 <= min_clusters <= max_clusters, got '
                              f'{min_clusters}, {max_clusters}')
        self.fixed_clusters = fixed_clusters
        self.points_per_cluster = float(points_per_cluster)
        self.min_clusters = int(min_clusters)
        self.max_clusters = int(max_clusters)

    def __call__(self, num_first: int) -> int:
        """Clusters for a class with ``num_first`` frame-0 superpixels."""
        if self.fixed_clusters is not None:
            return int(self.fixed_clusters)
        n = math.floor(num_first / self.points_per_cluster + 0.5)
        return min(max(n, self.min_clusters), self.max_clusters)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(fixed_clusters={self.fixed_clusters}, '
                f'points_per_cluster={self.points_per_cluster}, '
                f'min_clusters={self.min_clusters}, max_clusters={self.max_clusters})')
