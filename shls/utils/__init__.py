from .compat import full_checkpoint_loading, load_local_checkpoint, mmseg_models
from .cli import format_error, run_tool
from .config import load_config
from .errors import (ConfigError, InputError, InputNotFoundError, NotWritableError,
                     OutputError, UnknownNameError, UserError)
from .setup_env import register_all_modules

__all__ = ['ConfigError', 'InputError', 'InputNotFoundError', 'NotWritableError',
           'OutputError', 'UnknownNameError', 'UserError', 'format_error', 'run_tool',
           'full_checkpoint_loading', 'load_config', 'load_local_checkpoint', 'mmseg_models',
           'register_all_modules']
