"""Materials from presets, TOML files and mappings, and back to TOML (docs/model.md §4).

A material is given either by a preset name or by a mapping (e.g. a TOML file) that may start
from a preset or from another material file::

    preset = "vitreloy1"
    chi0 = 640.0
    rate_term = "johnson-samwer"

Elasticity is given by exactly one pair, ``E, nu`` or ``G, K``; an override of one member keeps
the other member of the pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from stz_fem.errors import InputError, read_toml, reject_unknown, validation_error
from stz_fem.material.parameters import MaterialParameters, number
from stz_fem.material.presets import PRESETS


class _YoungPoisson(BaseModel):
    """The ``E, nu`` pair of a material mapping, checked before it becomes ``G, K``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    E: float = number("Pa", "Young's modulus", gt=0.0)
    nu: float = number("", "Poisson's ratio", ge=0.0, lt=0.5)



_ELASTIC_PAIRS = (("E", "nu"), ("G", "K"))
_KNOWN = set(MaterialParameters.model_fields) | {"E", "nu", "preset", "file"}


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides on top of a base; an elastic override replaces the base's pair if it switches."""
    merged = dict(base)
    for pair in _ELASTIC_PAIRS:
        other = next(p for p in _ELASTIC_PAIRS if p != pair)
        if any(k in overrides for k in pair) and any(k in base for k in other):
            for k in other:
                merged.pop(k, None)
    merged.update(overrides)
    return merged


def _with_bases(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The mapping on top of its ``file`` or ``preset`` base, without those two keys."""
    values = dict(data)
    file = values.pop("file", None)
    if file is not None:
        if not isinstance(file, str) or not file:
            raise InputError(f"{where}.file = {file!r}: must be the path of a material TOML")
        if "preset" in values:
            raise InputError(f"{where}: give either preset or file (a material TOML), not both")
        base = read_toml(file, "no such material file")
        reject_unknown(base, _KNOWN - {"file"}, f"{file}: ", "unknown material parameter",
                       "known")
        values = merge(base, values)
    preset = values.pop("preset", None)
    if preset is not None:
        if not isinstance(preset, str) or preset not in PRESETS:
            raise InputError(
                f"{where}.preset = {preset!r}: unknown preset; allowed: {', '.join(PRESETS)}"
            )
        values = merge(PRESETS[preset], values)
    return values


def _shear_and_bulk(values: dict[str, Any], where: str) -> dict[str, Any]:
    """The values with the elastic pair as ``G, K`` (an ``E, nu`` pair converted)."""
    given = [pair for pair in _ELASTIC_PAIRS if any(k in values for k in pair)]
    if len(given) != 1 or not all(k in values for k in given[0]):
        got = ", ".join(k for pair in _ELASTIC_PAIRS for k in pair if k in values) or "none"
        raise InputError(
            f"{where}: elasticity needs exactly one complete pair, E and nu (Pa, –) or G and K "
            f"(Pa, Pa); got {got}"
        )
    if given[0] == ("G", "K"):
        return values
    rest = {k: v for k, v in values.items() if k not in ("E", "nu")}
    try:
        pair = _YoungPoisson(E=values["E"], nu=values["nu"])
    except ValidationError as err:
        raise validation_error(err, _YoungPoisson, where) from None
    rest["G"] = pair.E / (2.0 * (1.0 + pair.nu))
    rest["K"] = pair.E / (3.0 * (1.0 - 2.0 * pair.nu))
    return rest


def from_mapping(data: Mapping[str, Any], where: str = "material") -> MaterialParameters:
    """Validated parameters from a mapping of docs/model.md names (SI units), optionally ``preset``.

    Args:
        data: parameter names to values; ``preset`` names a base set, or ``file`` a material
            TOML (e.g. written by ``stz-fem calibrate``), that the rest overrides.
        where: key path prefix for error messages (e.g. ``"material"`` or a file name).

    Raises:
        InputError: unknown key, missing key, wrong type, a value out of range or an
            inconsistent set, in one line naming the key, the value and what is allowed.
    """
    reject_unknown(data, _KNOWN, f"{where}.", "unknown material parameter", "known")
    values = _shear_and_bulk(_with_bases(data, where), where)
    try:
        return MaterialParameters(**values)
    except ValidationError as err:
        raise validation_error(err, MaterialParameters, where) from None


def as_mapping(params: MaterialParameters) -> dict[str, Any]:
    """The parameters as a plain mapping of docs/model.md names (what ``from_mapping`` reads)."""
    return params.model_dump()


def load(source: str | Path | Mapping[str, Any], where: str | None = None) -> MaterialParameters:
    """Parameters from a preset name, a TOML file path, or a mapping.

    Raises:
        InputError: missing or unparsable file, or invalid parameters (see ``from_mapping``).
    """
    if isinstance(source, Mapping):
        return from_mapping(source, where or "material")
    text = str(source)
    if text in PRESETS:
        return from_mapping({"preset": text}, where or text)
    data = read_toml(text, f"not a material file or preset; presets: {', '.join(PRESETS)}")
    return from_mapping(data, where or Path(text).name)


def save(params: MaterialParameters, path: str | Path) -> None:
    """Write parameters as a TOML material file that ``load`` reads back."""
    Path(path).write_text(params.to_toml())
