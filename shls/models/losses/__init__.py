from .base import ContrastiveLoss
from .nt_xent import NTXentLoss
from .supcon import SupConLoss

__all__ = ['ContrastiveLoss', 'NTXentLoss', 'SupConLoss']
