from .compat import install_checkpoint_loader, install_mmcv_ext_shim
from .setup_env import register_all_modules

__all__ = ['install_checkpoint_loader', 'install_mmcv_ext_shim', 'register_all_modules']
