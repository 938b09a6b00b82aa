"""Rejecting unknown option keys with a "did you mean" suggestion (one wording for all).

A typo in a config or an override must never run with a silently ignored setting: every
place that takes a dict of options checks its keys here.
"""
import difflib
from typing import Iterable

from .errors import ConfigError


def suggest(name: str, known: Iterable) -> str:
    """A hint naming the known key closest to ``name``.

    Args:
        name: The unknown key.
        known: The accepted keys (any objects; compared as text).

    Returns:
        ``" (did you mean 'KEY'?)"``, or ``''`` when no known key is close.
    """
    close = difflib.get_close_matches(name, [str(k) for k in known], n=1)
    return f' (did you mean {close[0]!r}?)' if close else ''


def check_known_keys(given: Iterable[str], known: Iterable[str], what: str,
                     owner: str = '') -> None:
    """Raise on the first key of ``given`` that is not in ``known``.

    Args:
        given: Keys to check, in order (e.g. a dict of options).
        known: The accepted keys (e.g. a dict of defaults).
        what: What the keys belong to, e.g. ``'test_cfg'``.
        owner: Prefix of the message, e.g. a class name (none by default).

    Raises:
        ValueError: ``"[OWNER: ]unknown WHAT key 'KEY' (did you mean 'K'?); known: A, B"``
            (``known: none`` when nothing is accepted).
    """
    names = [str(k) for k in known]
    for key in given:
        if key not in names:
            prefix = f'{owner}: ' if owner else ''
            raise ConfigError(f'{prefix}unknown {what} key {key!r}{suggest(key, names)}; '
                              f'known: {", ".join(names) or "none"}')
