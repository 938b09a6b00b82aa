from .davis_metric import DAVISMetric
from .knn_accuracy import KNNAccuracy

__all__ = ['DAVISMetric', 'KNNAccuracy']
