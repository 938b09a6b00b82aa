"""shls: self-supervised video object segmentation with superfeatures (SHLS)."""
from .utils.compat import install_mmcv_ext_shim
from .version import __version__

install_mmcv_ext_shim()

__all__ = ['__version__']
