"""shls: self-supervised video object segmentation with superfeatures (SHLS)."""
from .utils.compat import install_checkpoint_loader, install_mmcv_ext_shim
from .version import __version__

install_mmcv_ext_shim()
install_checkpoint_loader()

__all__ = ['__version__']
