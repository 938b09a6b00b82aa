from .base import ContrastiveLoss
from .distill import SuperfeatureDistillLoss
from .nt_xent import NTXentLoss
from .supcon import SupConLoss

__all__ = ['ContrastiveLoss', 'NTXentLoss', 'SupConLoss', 'SuperfeatureDistillLoss']
