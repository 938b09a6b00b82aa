from .base import ContrastiveLoss
from .nt_xent import NTXentLoss

__all__ = ['ContrastiveLoss', 'NTXentLoss']
