"""One-line errors for the command-line tools."""
import sys
from typing import Callable, Tuple, Type

from .config import ConfigError

#: Errors a user can cause with their input (files, configs, options); the tools print
#: them as one line. Anything else is a bug and keeps its traceback.
USER_ERRORS: Tuple[Type[BaseException], ...] = (ConfigError, FileNotFoundError,
                                                NotADirectoryError, PermissionError,
                                                ValueError, KeyError, TypeError)


def format_error(err: BaseException) -> str:
    """``error: <Type>: <message>`` on one line.

    Exceptions re-raised by a DataLoader worker carry the worker's traceback in their
    message; the original last line (which names the file) is used instead.
    """
    text = str(err).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].startswith('Caught ') and len(lines) > 1:
        return f'error: {lines[-1]}'
    if isinstance(err, KeyError) and len(err.args) == 1:
        text = str(err.args[0])
        lines = text.splitlines() or ['']
    return f'error: {type(err).__name__}: {lines[0] if lines else ""}'


def run_tool(main: Callable[[], int], debug: bool) -> int:
    """Run ``main`` and turn user errors into one line on stderr and exit code 2."""
    try:
        return main()
    except USER_ERRORS as err:
        if debug:
            raise
        print(format_error(err), file=sys.stderr)
        return 2
