"""The errors a user can cause: what the command-line tools print as one line.

Every error of this family means "what you gave cannot be used" (a file, a folder, a
config key, an option) and carries a one-line message that names the culprit. The tools
(:func:`shls.utils.cli.run_tool`) print it as ``error: <Type>: <message>`` with exit code
2; any other exception is a bug and keeps its traceback.

The classes also derive from the built-in exception that the same check raised before
(``ValueError``, ``FileNotFoundError``, ``KeyError``, ``PermissionError``), so code that
catches those keeps working.

This module imports nothing, so that every layer of shls can raise these errors.
"""


class UserError(Exception):
    """Something the user gave cannot be used; the message is one line naming it."""

    # The plain message, also for the KeyError subclasses (KeyError would quote it).
    __str__ = BaseException.__str__


class InputError(UserError, ValueError):
    """An input file or folder is unreadable or inconsistent: frames, videos, masks,
    annotations, checkpoints, dataset layouts."""


class InputNotFoundError(InputError, FileNotFoundError):
    """An input path given by the user (or listed by its dataset) does not exist."""


class ConfigError(UserError, ValueError):
    """A config file, a config value, a ``--cfg-options`` override or a command-line
    option that cannot be used."""


class UnknownNameError(ConfigError, KeyError):
    """A config names a component or a key that does not exist."""


class OutputError(UserError, ValueError):
    """An output location that shls refuses to write (it would replace an input, or a
    folder that shls did not write)."""


class NotWritableError(OutputError, PermissionError):
    """An output location cannot be written (a file is in the way, permissions, a
    read-only file system)."""
