from .metrics import KNNAccuracy

__all__ = ['KNNAccuracy']
