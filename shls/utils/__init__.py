from .compat import install_checkpoint_loader, install_mmcv_ext_shim
from .cli import format_error, run_tool
from .config import ConfigError, load_config
from .setup_env import register_all_modules

__all__ = ['ConfigError', 'format_error', 'run_tool', 'install_checkpoint_loader', 'install_mmcv_ext_shim', 'load_config',
           'register_all_modules']
