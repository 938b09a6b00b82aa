from .compat import install_checkpoint_loader, install_mmcv_ext_shim
from .config import ConfigError, load_config
from .setup_env import register_all_modules

__all__ = ['ConfigError', 'install_checkpoint_loader', 'install_mmcv_ext_shim', 'load_config',
           'register_all_modules']
