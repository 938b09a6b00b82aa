"""Superpixel graph, geodesic distances and the vectorised minimum barrier distance."""
import numpy as np

from shls.models.saliency.mbd import minimum_barrier_distance
from shls.models.saliency.superpixel_graph import (adjacent_pairs, build_graph,
                                                   geodesic_distances)


def test_adjacency_and_statistics():
    labels = np.array([[0, 0, 1], [2, 2, 1], [2, 3, 3]])
    np.testing.assert_array_equal(adjacent_pairs(labels),
                                  [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]])
    lab = np.zeros((3, 3, 3), np.float32)
    lab[..., 0] = labels * 10
    graph = build_graph(labels, lab)
    np.testing.assert_allclose(graph.colour[:, 0], [0, 10, 20, 30])
    np.testing.assert_allclose(graph.area, [2, 2, 3, 2])
    assert graph.boundary.all()
    np.testing.assert_allclose(graph.position[0], [0.0, 0.25])


def test_geodesic_distance_on_a_chain():
    labels = np.repeat(np.arange(5)[None], 2, 0)  # five columns, a chain 0-1-2-3-4
    lab = np.zeros((2, 5, 3), np.float32)
    lab[..., 0] = [0, 4, 8, 20, 21]
    graph = build_graph(labels, lab)
    dist = geodesic_distances(graph)
    np.testing.assert_allclose(dist[0], [0, 4, 8, 20, 21], atol=1e-5)
    clipped = geodesic_distances(graph, clip=5.0)  # steps of 4 and 1 are free
    np.testing.assert_allclose(clipped[0], [0, 0, 0, 12, 12], atol=1e-5)
    linked = geodesic_distances(graph, link_boundary=True)  # every node touches the border
    np.testing.assert_allclose(linked, 0, atol=1e-4)


def test_minimum_barrier_distance_of_a_square():
    image = np.zeros((20, 30, 1))
    image[5:15, 8:20] = 10.0
    image[8:12, 12:16] = 4.0  # a dip inside: reachable only over the barrier of 10
    dist = minimum_barrier_distance(image, passes=2)[..., 0]
    assert dist.shape == (20, 30) and (dist[image[..., 0] == 0] == 0).all()
    np.testing.assert_allclose(dist[5:15, 8:20][image[5:15, 8:20, 0] == 10], 10.0)
    np.testing.assert_allclose(dist[8:12, 12:16], 10.0)


def test_minimum_barrier_distance_follows_a_winding_path():
    # Bright image, dark border ring, and a dark corridor from the border that turns
    # twice: its pixels have barrier 0 only if the sweeps propagate around the corners.
    image = np.full((12, 12, 1), 9.0)
    image[[0, -1]] = 0.0
    image[:, [0, -1]] = 0.0
    image[0:6, 2] = 0.0
    image[5, 2:9] = 0.0
    image[5:10, 8] = 0.0
    dist = minimum_barrier_distance(image, passes=3)[..., 0]
    assert dist[9, 8] == 0.0 and dist[5, 5] == 0.0
    assert dist[8, 4] == 9.0
