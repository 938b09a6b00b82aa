from .nt_xent import NTXentLoss

__all__ = ['NTXentLoss']
