"""User-facing errors, and the checks of user input that every reader shares.

An ``InputError`` is a mistake in what the user gave (a case file, a material file, a command
line option, a data file). Its message is one line naming the key or file, the bad value and
what is allowed; the CLI prints it without a traceback.
"""

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class InputError(ValueError):
    """Bad user input: the message is a complete one-line explanation."""


def reject_unknown(keys: Iterable[str], known: Iterable[str], prefix: str, noun: str,
                   listing: str) -> None:
    """Raise for the first key not in ``known``, suggesting the closest known one.

    The message reads ``{prefix}{key}: {noun} (did you mean 'x'?); {listing}: a, b, c``.
    """
    known = sorted(known)
    unknown = sorted(set(keys) - set(known))
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(f"{prefix}{key}: {noun}{hint}; {listing}: {', '.join(known)}")


def read_toml(path: str | Path, missing: str) -> dict[str, Any]:
    """The contents of a TOML file; InputError ``{path}: {missing}`` if there is no such file,
    or naming the parse error."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {missing}")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML ({err})") from None
