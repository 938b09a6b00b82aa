from .compat import install_checkpoint_loader, install_mmcv_ext_shim
from .cli import format_error, run_tool
from .config import load_config
from .errors import (ConfigError, InputError, InputNotFoundError, NotWritableError,
                     OutputError, UnknownNameError, UserError)
from .setup_env import register_all_modules

__all__ = ['ConfigError', 'InputError', 'InputNotFoundError', 'NotWritableError',
           'OutputError', 'UnknownNameError', 'UserError', 'format_error', 'run_tool',
           'install_checkpoint_loader', 'install_mmcv_ext_shim', 'load_config',
           'register_all_modules']
