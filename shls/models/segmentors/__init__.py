from .shls import SHLS

__all__ = ['SHLS']
