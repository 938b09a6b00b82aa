from .colour_stats import SuperpixelColourStats
from .superfeature_head import SuperfeatureHead

__all__ = ['SuperfeatureHead', 'SuperpixelColourStats']
