"""User-facing errors, and the checks of user input that every reader shares.

An ``InputError`` is a mistake in what the user gave (a case file, a material file, a command
line option, a data file). Its message is one line naming the key or file, the bad value and
what is allowed; the CLI prints it without a traceback. Inputs described by pydantic models
get the same line from ``validation_error``.
"""

import difflib
import tomllib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError


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


# --- pydantic validation errors as one line -------------------------------------------------

_KINDS = {
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "bool_type": "true or false", "bool_parsing": "true or false", "string_type": "a string",
    "tuple_type": "an array", "list_type": "an array", "dict_type": "a table",
    "model_type": "a table", "model_attributes_type": "a table",
}
_BOUNDS = (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))


def key_error(key: str, allowed: str, value: Any = ...) -> PydanticCustomError:
    """An error for a model validator to raise about one of its keys (or a key path below it):
    ``validation_error`` turns it into ``{path}.{key} = {value!r}: {allowed}`` (without
    `` = value`` when no value is given)."""
    shown = "" if value is ... else f" = {value!r}"
    return PydanticCustomError(
        "key_error", "{key}{shown}: {allowed}", {"key": key, "shown": shown, "allowed": allowed}
    )


def validation_error(err: ValidationError, model: type[BaseModel], where: str = "") -> InputError:
    """The first error of a pydantic validation of ``model`` as a one-line ``InputError``.

    The line names the key path (``where`` prefixed, list items as ``[k]``), the bad value and
    what is allowed, taken from the field's constraints and its ``unit`` (``json_schema_extra``);
    an unknown key gets the closest known one. An ``InputError`` raised inside a validator is
    already such a line and is returned as is.
    """
    error = err.errors(include_url=False)[0]
    loc, kind, ctx = error["loc"], error["type"], error.get("ctx") or {}
    if isinstance(ctx.get("error"), InputError):
        return ctx["error"]
    path = _join(where, loc)
    field = _field_at(model, loc)
    if kind == "key_error":
        return InputError(f"{_join(path, (ctx['key'],))}{ctx['shown']}: {ctx['allowed']}")
    if kind == "missing":
        described = _describe(field, ctx)
        described = f"must be {described}" if described else getattr(field, "description", "")
        return InputError(f"{path}: missing" + (f" ({described})" if described else ""))
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return InputError(f"{path}: unknown key{hint}; allowed: {', '.join(known)}")
    if kind in _KINDS:
        text = f"must be {_KINDS[kind]} {_describe(field, {})}".rstrip()
    elif kind == "literal_error":
        text = f"allowed: {_describe(field, ctx)}"
    elif kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", error["msg"]))
    else:
        described = _describe(field, ctx)
        text = f"must be {described}" if described else error["msg"]
    value = error.get("input")
    return InputError(f"{path} = {value!r}: {text}".replace("\n", " "))


def _join(where: str, loc: tuple) -> str:
    path = where
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (itself, or inside list/tuple/dict/Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The field a validation error location points to (dict keys and list indices skipped)."""
    models, field = [model], None
    for part in loc:
        match = [m.model_fields[f] for m in models for f in _names(m) if _names(m)[f] == part]
        if match:
            field = match[0]
            models = _models_in(field.annotation)
        else:
            field = None  # a dict key or list index: stay with the item models
    return field


def _names(model: type[BaseModel]) -> dict[str, str]:
    """Field name → the key a file gives it (its alias when it has one); fields marked
    ``exclude`` are set by the program, not by a file."""
    return {name: f.alias or name for name, f in model.model_fields.items() if not f.exclude}


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    models = [model]
    for part in loc:
        fields = [m.model_fields[f] for m in models for f in _names(m) if _names(m)[f] == part]
        models = _models_in(fields[0].annotation) if fields else models
    return sorted({key for m in models for key in _names(m).values()})


def _describe(field: FieldInfo | None, ctx: dict[str, Any]) -> str:
    """What a field allows: its bounds and unit (``> 0 (K)``), or its literal choices."""
    if field is not None:
        choices = [a for a in typing.get_args(field.annotation) if isinstance(a, str)]
        if typing.get_origin(field.annotation) is typing.Literal:
            return ", ".join(choices)
        bounds = {name: getattr(m, name) for m in field.metadata for name, _ in _BOUNDS
                  if hasattr(m, name)}
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", field.description or ""))
    else:
        bounds, unit = {k: v for k, v in ctx.items() if k in dict(_BOUNDS)}, ""
    if "expected" in ctx and not bounds:
        return str(ctx["expected"])
    text = " and ".join(f"{symbol} {bounds[name]:g}" for name, symbol in _BOUNDS
                        if name in bounds)
    return " ".join(part for part in (text, f"({unit})" if unit else "") if part)


def validated(model: type[BaseModel], data: Any, where: str = "") -> Any:
    """``model.model_validate(data)``; the one-line ``InputError`` of ``validation_error``
    otherwise."""
    if not isinstance(data, dict):
        raise InputError(f"{where or 'input'} = {data!r}: must be a table")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise validation_error(err, model, where) from None
