from .metrics import DAVISMetric, KNNAccuracy

__all__ = ['DAVISMetric', 'KNNAccuracy']
