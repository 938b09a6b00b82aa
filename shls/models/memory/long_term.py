"""Long-term scores: max similarity to each class's centroids."""
from torch import Tensor


def long_term_scores(queries: Tensor, centroids: Tensor, cols: Tensor,
                     num_classes: int) -> Tensor:
    """``L_c`` = max cosine similarity of each query to the centroids of class ``c``.

    Args:
        queries: ``(M, D)`` normalised.
        centroids: ``(Q, D)`` all classes' centroids, concatenated.
        cols: ``(Q,)`` int64 class column of each centroid (every column present).
        num_classes: ``C``.

    Returns:
        ``(M, C)``.
    """
    sims = queries @ centroids.T
    index = cols.expand(queries.shape[0], -1)
    out = sims.new_full((queries.shape[0], num_classes), -1.0)
    return out.scatter_reduce_(1, index, sims, reduce='amax', include_self=False)
