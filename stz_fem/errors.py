"""User-facing errors, and the checks of user input that every reader shares.

An ``InputError`` is a mistake in what the user gave (a case file, a material file, a command
line option, a data file). Its message is one line naming the key or file, the bad value and
what is allowed; the CLI prints it without a traceback.
"""

import difflib
import tomllib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic


class InputError(ValueError):
    """Bad user input: the message is a complete one-line explanation."""


class RunError(RuntimeError):
    """A run cannot go on (a physics or numerics condition, e.g. no step converges), raised
    identically on every MPI rank; the message is a complete one-line explanation."""


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
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML ({err})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file (TOML expected)") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None


_BOUNDS = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<",
           "less_than_equal": "≤"}
_KINDS = {"float_type": "a number", "int_type": "a whole number", "bool_type": "true or false",
          "string_type": "a string", "list_type": "a list", "model_type": "a table",
          "dict_type": "a table", "model_attributes_type": "a table"}


def _model_at(model: Any, loc: tuple) -> Any:
    """The pydantic model class that validates the table at ``loc`` (None if not a model)."""
    keyed = False  # the last field was a list or table of models: this key picks an item
    for key in loc:
        if model is None:
            return None
        if keyed or isinstance(key, int):
            keyed = False
            continue
        field = getattr(model, "model_fields", {}).get(key)
        if field is None:
            return None
        model = _model_in(field.annotation)
        keyed = typing.get_origin(field.annotation) in (list, dict)
    return model


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    return next((m for m in map(_model_in, typing.get_args(annotation)) if m is not None), None)


def _describe(model: Any, name: Any) -> str:
    """The constraints and unit of field ``name`` of ``model``, e.g. "must be > 0 (m)"."""
    field = getattr(model, "model_fields", {}).get(name)
    if field is None:
        return "required"
    bounds = [f"{_BOUNDS[kind]} {getattr(m, attr)}" for m in field.metadata
              for kind, attr in (("greater_than", "gt"), ("greater_than_equal", "ge"),
                                 ("less_than", "lt"), ("less_than_equal", "le"))
              if getattr(m, attr, None) is not None]
    text = "must be " + " and ".join(bounds) if bounds else "required"
    return text + (f" ({field.description})" if field.description else "")


def _allowed(model: Any, loc: tuple, error: dict) -> str:
    """What the field at ``loc`` allows, from the error's context and the field's description
    (its unit)."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    parent = _model_at(model, loc[:-1])
    field = getattr(parent, "model_fields", {}).get(loc[-1]) if loc else None
    unit = f" ({field.description})" if field is not None and field.description else ""
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {next(iter(ctx.values()))}{unit}"
    if kind == "literal_error":
        return f"allowed: {ctx['expected']}"
    if kind == "finite_number":
        return f"must be finite{unit}"
    if kind in _KINDS:
        return f"must be {_KINDS[kind]}{unit}"
    return error["msg"][0].lower() + error["msg"][1:] + unit


def validation_message(err: Any, model: Any, prefix: str = "") -> str:
    """One line for a pydantic ``ValidationError`` of ``model``: the key path, the bad value
    and what is allowed, with a did-you-mean for an unknown key (the first error only;
    unknown keys first, since a misspelt key also makes the intended one missing)."""
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    loc = tuple(error["loc"])
    path = prefix + ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in loc)
    path = path.replace(".[", "[")
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):
        return str(cause)
    if error["type"] == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = sorted(getattr(parent, "model_fields", {}))
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{path}: unknown key{hint}; allowed here: {', '.join(known)}"
    if error["type"] == "missing":
        return f"{path}: missing ({_describe(_model_at(model, loc[:-1]), loc[-1])})"
    if error["type"] == "value_error" and cause is not None:
        return f"{path or prefix.rstrip('.')}: {cause}"
    return f"{path} = {error['input']!r}: {_allowed(model, loc, error)}"


def validated(model: Any, data: Any, prefix: str = "") -> Any:
    """``model.model_validate(data)``; InputError with ``validation_message`` otherwise."""
    if not isinstance(data, dict):
        raise InputError(f"{prefix.rstrip('.') or 'input'} = {data!r}: must be a table")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as err:
        raise InputError(validation_message(err, model, prefix)) from None
