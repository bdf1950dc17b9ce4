"""Case files: TOML describing a specimen run, validated before anything runs.

A schema is a nested dict of ``Field``s; ``validate`` fills defaults and reports the first
problem as one line naming the key path, the bad value and what is allowed. ``--set
key.path=value`` overrides are applied to the raw TOML before validation. The full schema is
documented in docs/cases.md.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stz_fem.errors import InputError, read_toml, reject_unknown

_MISSING = object()


@dataclass(frozen=True)
class Field:
    """One case value: its kind ("float", "int", "str", "bool", "list", "table", "any"),
    default (``_MISSING``: required), allowed range or choices, and unit for messages."""

    kind: str
    default: Any = _MISSING
    minimum: float | None = None
    exclusive_minimum: bool = True
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    unit: str = ""

    def describe(self) -> str:
        if self.choices:
            return "allowed: " + ", ".join(map(str, self.choices))
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '≥'} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"≤ {self.maximum:g}")
        text = f"must be a {self.kind}" if not parts else "must be " + " and ".join(parts)
        return text + (f" ({self.unit})" if self.unit else "")


def positive(unit: str, default: Any = _MISSING) -> Field:
    return Field("float", default, minimum=0.0, unit=unit)


def non_negative(unit: str, default: Any = _MISSING) -> Field:
    return Field("float", default, minimum=0.0, exclusive_minimum=False, unit=unit)


def _kind_ok(kind: str, value: Any) -> bool:
    return {
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list),
        "table": isinstance(value, Mapping),
        "any": True,
    }[kind]


def validate(data: Mapping[str, Any], schema: Mapping[str, Any], path: str = "") -> dict:
    """Check ``data`` against ``schema`` and fill defaults. Raises InputError."""
    reject_unknown(data, schema, path, "unknown key", "allowed here")
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        where = f"{path}{key}"
        if isinstance(spec, Mapping):
            value = data.get(key, {})
            if not isinstance(value, Mapping):
                raise InputError(f"{where} = {value!r}: must be a table")
            out[key] = validate(value, spec, where + ".")
            continue
        if key not in data:
            if spec.default is _MISSING:
                raise InputError(f"{where}: missing ({spec.describe()})")
            out[key] = copy.deepcopy(spec.default)
            continue
        value = data[key]
        if value is None and spec.default is None:
            out[key] = None
            continue
        if not _kind_ok(spec.kind, value):
            raise InputError(f"{where} = {value!r}: must be a {spec.kind}; {spec.describe()}")
        if spec.choices is not None and value not in spec.choices:
            raise InputError(f"{where} = {value!r}: {spec.describe()}")
        if spec.kind in ("float", "int"):
            bad = math.isnan(value) or (
                spec.minimum is not None
                and (value <= spec.minimum if spec.exclusive_minimum else value < spec.minimum)
            ) or (spec.maximum is not None and value > spec.maximum)
            if bad:
                raise InputError(f"{where} = {value!r}: {spec.describe()}")
            value = float(value) if spec.kind == "float" else value
        out[key] = value
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """``key.path=value`` → (["key", "path"], value); the value is read as TOML if it can be."""
    if "=" not in text:
        raise InputError(f"--set {text!r}: expected key.path=value")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip().split("."), value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """A copy of raw case data with ``--set`` overrides applied."""
    data = copy.deepcopy(data)
    for text in overrides:
        keys, value = parse_override(text)
        node = data
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise InputError(f"--set {text!r}: '{k}' is not a table")
        node[keys[-1]] = value
    return data


# Case values that name files; relative paths in a case file are relative to that file.
FILE_KEYS = (("material", "file"), ("initial_chi", "file"), ("mesh", "file"))


def read_case(path: str | Path, overrides: list[str] | None = None) -> dict:
    """Raw case data from a TOML file with overrides applied (validated by the specimen).

    File names in the case file (``FILE_KEYS``) are resolved against its folder; those given
    with ``--set`` against the working directory.
    """
    data = read_toml(path, "no such case file")
    for section, key in FILE_KEYS:
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            table[key] = str(Path(path).parent / Path(table[key]).expanduser())
    return apply_overrides(data, overrides or [])
