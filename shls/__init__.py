"""shls: self-supervised video object segmentation with superfeatures (SHLS)."""
from .version import __version__

__all__ = ['__version__']
