"""Unsupervised, training-free saliency estimators that make pseudo object masks."""
from .base import BaseSaliencyEstimator
from .centre import CentrePriorSaliency
from .contrast import ContrastSaliency
from .ensemble import EnsembleSaliency, MBDContrastSaliency
from .mbd import MBDSaliency
from .rbd import RBDSaliency
from .refine import SaliencyMaskRefiner

__all__ = ['BaseSaliencyEstimator', 'CentrePriorSaliency', 'ContrastSaliency',
           'EnsembleSaliency', 'MBDContrastSaliency', 'MBDSaliency', 'RBDSaliency',
           'SaliencyMaskRefiner']
