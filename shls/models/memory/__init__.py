"""Superfeature memory: pools, short-term KNN, long-term k-means, pre-segmentation."""
from .bank import MemoryBank
from .cluster_rule import ClusterRule
from .confidence import memorise_confident, select_confident
from .kmeans import SphericalKMeans, kmeans_plusplus, spherical_kmeans
from .knn import BaseKNNBackend, FaissKNNBackend, TorchKNNBackend
from .long_term import long_term_scores
from .outlier_filter import filter_vote_outliers
from .pool import ClassPool, capped_indices
from .proximity_prior import proximity_penalty
from .presegmentation import attention_maps, eq4_scores, others_max, presegment_eq4
from .readout import MemoryReadout
from .short_term import neighbour_weights, short_term_scores, weighted_vote

__all__ = [
    'BaseKNNBackend', 'ClassPool', 'ClusterRule', 'FaissKNNBackend', 'MemoryBank',
    'MemoryReadout', 'SphericalKMeans', 'TorchKNNBackend', 'attention_maps',
    'capped_indices', 'eq4_scores', 'filter_vote_outliers', 'kmeans_plusplus',
    'long_term_scores', 'memorise_confident', 'neighbour_weights', 'others_max', 'presegment_eq4', 'proximity_penalty',
    'select_confident', 'short_term_scores', 'spherical_kmeans', 'weighted_vote'
]
