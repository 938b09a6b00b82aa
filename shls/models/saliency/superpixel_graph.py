"""Region adjacency graph of a superpixel label map, for graph-based saliency.

Everything is vectorised (``bincount``, sparse matrices, ``scipy.sparse.csgraph``); there
is no Python loop over pixels or superpixels.
"""
from dataclasses import dataclass

import cv2
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph


@dataclass
class SuperpixelGraph:
    """Per-superpixel statistics and the 4-neighbourhood adjacency of a label map.

    Attributes:
        labels: ``(H, W)`` int ids ``0..N-1``.
        colour: ``(N, 3)`` float mean CIELAB colour (L in 0..100).
        position: ``(N, 2)`` float mean ``(row, col)``, normalised to ``[0, 1]``.
        area: ``(N,)`` float pixel counts.
        boundary: ``(N,)`` bool, the superpixel touches the image border.
        edges: ``(E, 2)`` int unique adjacent pairs ``i < j``.
    """

    labels: np.ndarray
    colour: np.ndarray
    position: np.ndarray
    area: np.ndarray
    boundary: np.ndarray
    edges: np.ndarray

    @property
    def num_nodes(self) -> int:
        """Number of superpixels ``N``."""
        return len(self.area)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB to float32 CIELAB (L 0..100, a/b about -127..127)."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def build_graph(labels: np.ndarray, lab: np.ndarray) -> SuperpixelGraph:
    """Collect the statistics and adjacency of ``labels`` (ids ``0..N-1``, contiguous).

    Args:
        labels: ``(H, W)`` integer superpixel ids.
        lab: ``(H, W, 3)`` CIELAB image.

    Returns:
        The :class:`SuperpixelGraph`.
    """
    h, w = labels.shape
    flat = labels.ravel().astype(np.int64)
    n = int(flat.max()) + 1
    area = np.bincount(flat, minlength=n).astype(np.float64)
    safe = np.maximum(area, 1.0)
    colour = np.stack([np.bincount(flat, lab[..., c].ravel(), n) for c in range(3)], 1)
    rows, cols = np.divmod(np.arange(h * w), w)
    position = np.stack([np.bincount(flat, rows / max(h - 1, 1), n),
                         np.bincount(flat, cols / max(w - 1, 1), n)], 1)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    boundary = np.zeros(n, bool)
    boundary[border] = True
    return SuperpixelGraph(labels=labels, colour=colour / safe[:, None],
                           position=position / safe[:, None], area=area,
                           boundary=boundary, edges=adjacent_pairs(labels))


def adjacent_pairs(labels: np.ndarray) -> np.ndarray:
    """Unique ``(i, j)``, ``i < j``, of 4-adjacent different labels, as ``(E, 2)``."""
    pairs = np.concatenate([
        np.stack([labels[:, :-1].ravel(), labels[:, 1:].ravel()], 1),
        np.stack([labels[:-1].ravel(), labels[1:].ravel()], 1)]).astype(np.int64)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    return np.unique(pairs, axis=0) if len(pairs) else np.zeros((0, 2), np.int64)


def pairwise_colour_distance(graph: SuperpixelGraph) -> np.ndarray:
    """``(N, N)`` Euclidean CIELAB distances between mean colours."""
    diff = graph.colour[:, None, :] - graph.colour[None, :, :]
    return np.sqrt((diff ** 2).sum(-1))


def geodesic_distances(graph: SuperpixelGraph, link_boundary: bool = False,
                       clip: float = 0.0) -> np.ndarray:
    """All-pairs geodesic distances: shortest paths whose edge cost is the colour
    distance between adjacent superpixels (Dijkstra, ``scipy.sparse.csgraph``).

    Args:
        graph: The superpixel graph.
        link_boundary: Also join every two border superpixels by a zero-cost edge (so the
            border acts as one connected background seed).
        clip: Edge costs below this value count as 0 (texture noise between two
            superpixels of one region does not accumulate along a path).

    Returns:
        ``(N, N)`` float distances; unreachable pairs (several components) are ``inf``.
    """
    n = graph.num_nodes
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    cost = np.linalg.norm(graph.colour[i] - graph.colour[j], axis=1)
    cost = np.where(cost < clip, 0.0, cost)
    # csgraph drops zero weights from sparse input; a tiny floor keeps identical
    # neighbours connected.
    cost = np.maximum(cost, 1e-6)
    if link_boundary:
        border = np.flatnonzero(graph.boundary)
        hub = np.full(len(border), n)
        i, j = np.concatenate([i, border]), np.concatenate([j, hub])
        cost = np.concatenate([cost, np.full(len(border), 1e-6)])
    size = n + int(link_boundary)
    matrix = sparse.coo_matrix((cost, (i, j)), shape=(size, size)).tocsr()
    dist = csgraph.shortest_path(matrix, method='D', directed=False)
    return dist[:n, :n]


def graph_laplacian(graph: SuperpixelGraph, weights: np.ndarray) -> np.ndarray:
    """Dense ``(N, N)`` Laplacian ``D - W`` of the adjacency with per-edge ``weights``."""
    n = graph.num_nodes
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    adjacency = np.zeros((n, n))
    adjacency[i, j] = weights
    adjacency[j, i] = weights
    return np.diag(adjacency.sum(1)) - adjacency
