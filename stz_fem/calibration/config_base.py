"""A calibration configuration on top of another: ``base = "other.toml"``.

A variant of a configuration (one more free parameter, a changed bound, other fit settings)
names its base and states only what differs::

    base = "../md_cuzr.toml"   # relative to this file; a base may have a base of its own

    [material]
    eps_a = 0.5                # tables merge key by key with the base's

    [free]
    s_y = false                # a base's free parameter fixed at the base material's value

    [free.eps_a]               # a new free parameter, or a base's one replaced whole
    bounds = [0.01, 20.0]

Lists, among them the curve tables ``[[curves]]``, ``[[validate]]`` and ``[[pressure_curves]]``,
replace the base's when given. Paths keep meaning what they meant in the file that gave them:
the base's curve paths and material file are taken relative to the base's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stz_fem.errors import InputError, read_toml

CURVE_TABLES = ("curves", "validate", "pressure_curves")


def read_config(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The configuration mapping of ``path`` with its bases merged in; curve and material
    paths of a base rewritten relative to ``path``'s folder.

    Raises:
        InputError: a missing or unreadable file, a ``base`` that is not a string, or a cycle.
    """
    resolved = path.resolve()
    if resolved in _seen:
        chain = " → ".join(str(p.name) for p in (*_seen, resolved))
        raise InputError(f"{path}: base configurations form a cycle ({chain})")
    data = read_toml(path, "calibration configuration not found")
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str) or not base:
        raise InputError(f"{path}: base = {base!r}: must be the path of a calibration TOML "
                         "(relative to this file)")
    base_path = path.parent / base
    parent = _relocated(read_config(base_path, (*_seen, resolved)), base_path.parent,
                        path.parent)
    return _merged(parent, data)


def _relocated(data: dict[str, Any], source: Path, target: Path) -> dict[str, Any]:
    """``data`` read in folder ``source`` with its relative paths rewritten for ``target``."""
    out = dict(data)
    for key in CURVE_TABLES:
        if isinstance(out.get(key), list):
            out[key] = [_moved(entry, "path", source, target) for entry in out[key]]
    if isinstance(out.get("material"), dict):
        out["material"] = _moved(out["material"], "file", source, target)
    return out


def _moved(table: Any, key: str, source: Path, target: Path) -> Any:
    if not isinstance(table, dict) or not isinstance(table.get(key), str):
        return table
    value = Path(table[key])
    if value.is_absolute():
        return table
    return {**table, key: _relative(source / value, target)}


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder``."""
    return os.path.relpath(path.resolve(), folder.resolve())


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on ``base``: tables merged key by key, anything else replaced; under ``free``
    a parameter set to false is removed."""
    out = dict(base)
    for key, value in over.items():
        if key == "free" and isinstance(value, dict) and isinstance(out.get(key), dict):
            free = dict(out[key])
            for name, table in value.items():
                if table is False:
                    free.pop(name, None)
                else:
                    free[name] = table
            out[key] = free
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out
