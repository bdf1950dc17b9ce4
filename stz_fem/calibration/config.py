"""Calibration configuration: a TOML file naming the base material, free parameters and curves.

Layout (SI units; paths relative to the configuration file)::

    [material]                  # base material: preset or file, plus fixed overrides
    preset = "cu50zr50"         # or: file = "my_material.toml"
    tau0 = 1e-13

    [free.chi0]                 # one table per free parameter (docs/model.md names)
    bounds = [300.0, 900.0]
    initial = 500.0             # optional; default: the base material's value
    log = false                 # optional; true fits ln(value) (positive bounds only)

    [fit]                       # optional numerics of the fit
    step_limits = { chi = 2.0, plastic_strain = 2e-3, stress = 1e-2 }
    diff_step = 1e-3            # relative finite-difference step of the Jacobian
    max_evaluations = 200
    max_steps = 20000           # driver steps per curve; more counts as a failed trial

    [analyses]                  # optional rate-law analyses of the same curves (report.json)
    johnson_samwer = true       # peak stress vs T, per rate with ≥ 2 temperatures: γ_C0, γ_C1, W₀
    eyring = true               # flow stress vs rate, per T with ≥ 2 rates: V* = Ωε₀
    flow_window = 0.05          # final strain interval whose mean stress is the flow stress
    energy_map = true           # β, U₀ of χ = β(U − U₀)T_Z from each curve's energy_column:
                                # U at the start ↔ fitted χ₀, mean U over flow_window ↔ χ∞

    [[curves]]
    path = "stress_strain.csv"
    strain_column = "nominal_shear_strain"
    stress_column = "shear_stress_Pa"
    strain_scale = 1.0          # multiplies the column to give strain (γ for shear)
    stress_scale = 1.0          # multiplies the column to give Pa
    loading = "simple-shear"    # or uniaxial-tension / uniaxial-compression
    rate = 1e8                  # 1/s (engineering shear rate, or axial strain rate)
    temperature = 100.0         # K; optional, default: the material's T
    strain_window = [0.0, 0.5]  # optional
    weight = 1.0                # optional
    energy_column = "pe_eV"     # optional: potential energy per atom (eV), for energy_map

Every parameter not listed under ``[free]`` keeps its base value.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stz_fem import material
from stz_fem.errors import InputError, read_toml
from stz_fem.material import MaterialParameters
from stz_fem.material_point import StepLimits

FITTED_LOADINGS = ("simple-shear", "uniaxial-tension", "uniaxial-compression")
FREE_NAMES = tuple(
    f.name for f in dataclasses.fields(MaterialParameters) if f.name not in ("rate_term", "T")
)
"""Parameters that may be free: every numeric material parameter but T (set per curve)."""


@dataclass(frozen=True)
class FreeParameter:
    """A fitted parameter: bounds and start in its SI unit; ``log`` fits ln(value)."""

    name: str
    lower: float
    upper: float
    initial: float
    log: bool


@dataclass(frozen=True)
class CurveSpec:
    """One stress–strain curve to fit (see the module docstring for the keys)."""

    path: Path
    strain_column: str
    stress_column: str
    strain_scale: float
    stress_scale: float
    loading: str
    rate: float
    temperature: float
    window: tuple[float, float]
    weight: float
    where: str
    """Key path of this curve in the configuration, e.g. ``curves[0]``."""
    energy_column: str | None = None
    """Potential energy per atom (eV) along the curve, for the PE → χ map; optional."""


@dataclass(frozen=True)
class Analyses:
    """Which rate-law analyses of the curves to report; ``flow_window`` is a strain."""

    johnson_samwer: bool = False
    eyring: bool = False
    flow_window: float = 0.05
    energy_map: bool = False


@dataclass(frozen=True)
class FitConfig:
    """A parsed calibration configuration."""

    base: MaterialParameters
    free: tuple[FreeParameter, ...]
    curves: tuple[CurveSpec, ...]
    limits: StepLimits
    diff_step: float
    max_evaluations: int
    max_steps: int
    analyses: Analyses = Analyses()


def load_config(path: str | Path) -> FitConfig:
    """Parse and validate a calibration TOML file.

    Raises:
        InputError: unreadable file or a bad key, with the key path, value and what is allowed.
    """
    path = Path(path)
    return parse_config(read_toml(path, "calibration configuration not found"), path.parent)


def parse_config(data: dict[str, Any], root: Path) -> FitConfig:
    """Validate a configuration mapping; relative paths are resolved against ``root``."""
    _only(data, ("material", "free", "fit", "analyses", "curves"), "")
    base = _base_material(_table(data, "material", ""), root)
    free_table = _table(data, "free", "")
    if not free_table:
        raise InputError(f"free: at least one free parameter needed; allowed: {_names()}")
    free = tuple(_free(name, spec, base) for name, spec in free_table.items())
    fit = _table(data, "fit", "", required=False)
    _only(fit, ("step_limits", "diff_step", "max_evaluations", "max_steps"), "fit")
    limits_table = _table(fit, "step_limits", "fit", required=False)
    _only(limits_table, ("chi", "plastic_strain", "stress"), "fit.step_limits")
    limits = StepLimits(**{
        key: _positive(limits_table, key, "fit.step_limits", default)
        for key, default in (("chi", 2.0), ("plastic_strain", 2e-3), ("stress", 1e-2))
    })
    diff_step = _positive(fit, "diff_step", "fit", 1e-3)
    max_evaluations = _count(fit, "max_evaluations", "fit", 200)
    max_steps = _count(fit, "max_steps", "fit", 20_000)
    curves = data.get("curves")
    if not isinstance(curves, list) or not curves or not all(isinstance(c, dict) for c in curves):
        raise InputError(f"curves = {curves!r}: must be a non-empty array of tables [[curves]]")
    specs = tuple(_curve(c, f"curves[{k}]", root, base) for k, c in enumerate(curves))
    return FitConfig(base, free, specs, limits, diff_step, max_evaluations, max_steps,
                     _analyses(_table(data, "analyses", "", required=False)))


def _analyses(table: dict[str, Any]) -> Analyses:
    _only(table, ("johnson_samwer", "eyring", "flow_window", "energy_map"), "analyses")
    for key in ("johnson_samwer", "eyring", "energy_map"):
        if not isinstance(table.get(key, False), bool):
            raise InputError(f"analyses.{key} = {table[key]!r}: must be true or false")
    return Analyses(table.get("johnson_samwer", False), table.get("eyring", False),
                    _positive(table, "flow_window", "analyses", 0.05),
                    table.get("energy_map", False))


def _names() -> str:
    return ", ".join(FREE_NAMES)


def _only(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            path = f"{where}.{key}" if where else key
            raise InputError(f"{path}: unknown key; allowed: {', '.join(allowed)}")


def _table(data: dict[str, Any], key: str, where: str, required: bool = True) -> dict[str, Any]:
    path = f"{where}.{key}" if where else key
    if key not in data:
        if required:
            raise InputError(f"{path}: missing table [{path}]")
        return {}
    if not isinstance(data[key], dict):
        raise InputError(f"{path} = {data[key]!r}: must be a table")
    return data[key]


def _number(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise InputError(f"{where}.{key}: missing (a number)")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise InputError(f"{where}.{key} = {value!r}: must be a number")
    return float(value)


def _positive(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = _number(table, key, where, default)
    if not 0.0 < value < math.inf:
        raise InputError(f"{where}.{key} = {value!r}: must be > 0")
    return value


def _count(table: dict[str, Any], key: str, where: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{where}.{key} = {value!r}: must be an integer ≥ 1")
    return value


def _string(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}.{key} = {value!r}: must be a non-empty string")
    return value


def _pair(table: dict[str, Any], key: str, where: str, default: tuple[float, float] | None
          ) -> tuple[float, float]:
    value = table.get(key, default)
    ok = (
        isinstance(value, list | tuple) and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and value[0] < value[1]
    )
    if not ok:
        raise InputError(f"{where}.{key} = {value!r}: must be [lower, upper] with lower < upper")
    return float(value[0]), float(value[1])


def _base_material(table: dict[str, Any], root: Path) -> MaterialParameters:
    overrides = dict(table)
    file = overrides.pop("file", None)
    if file is not None:
        if "preset" in overrides:
            raise InputError("material.file: give either file or preset, not both")
        if not isinstance(file, str) or not (root / file).is_file():
            raise InputError(f"material.file = {file!r}: not a file (relative to the config)")
        return material.load(root / file).replace(**overrides)
    if "preset" not in overrides:
        raise InputError(
            f"material: needs preset (allowed: {', '.join(material.PRESETS)}) or file"
        )
    return material.load(overrides, where="material")


def _free(name: str, spec: Any, base: MaterialParameters) -> FreeParameter:
    where = f"free.{name}"
    if name not in FREE_NAMES:
        raise InputError(f"{where}: not a fittable material parameter; allowed: {_names()}")
    if not isinstance(spec, dict):
        raise InputError(f"{where} = {spec!r}: must be a table with bounds = [lower, upper]")
    _only(spec, ("bounds", "initial", "log"), where)
    lower, upper = _pair(spec, "bounds", where, None)
    start = getattr(base, name)
    initial = _number(spec, "initial", where, start if start is not None else None)
    if not lower <= initial <= upper:
        raise InputError(f"{where}.initial = {initial!r}: must lie within bounds {[lower, upper]}")
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise InputError(f"{where}.log = {log!r}: must be true or false")
    if log and lower <= 0.0:
        raise InputError(f"{where}.bounds = {[lower, upper]}: log = true needs lower > 0")
    if not log and initial == 0.0:
        raise InputError(f"{where}.initial = 0.0: must be nonzero (it sets the fit's scale)")
    base.replace(**{name: initial})  # raises InputError if the start is not a valid material
    return FreeParameter(name, lower, upper, initial, log)


_CURVE_KEYS = (
    "path", "strain_column", "stress_column", "strain_scale", "stress_scale", "loading", "rate",
    "temperature", "strain_window", "weight", "energy_column",
)


def _curve(table: dict[str, Any], where: str, root: Path, base: MaterialParameters
           ) -> CurveSpec:
    _only(table, _CURVE_KEYS, where)
    # normpath, not resolve: keep a relative config's paths relative (and readable in reports)
    path = Path(os.path.normpath(root / _string(table, "path", where)))
    if not path.is_file():
        raise InputError(f"{where}.path = {str(table['path'])!r}: no such file ({path})")
    loading = table.get("loading")
    if loading not in FITTED_LOADINGS:
        raise InputError(f"{where}.loading = {loading!r}: allowed: {', '.join(FITTED_LOADINGS)}")
    strain_scale = _number(table, "strain_scale", where, 1.0)
    stress_scale = _number(table, "stress_scale", where, 1.0)
    for key, value in (("strain_scale", strain_scale), ("stress_scale", stress_scale)):
        if value == 0.0:
            raise InputError(f"{where}.{key} = 0.0: must be nonzero")
    window = _pair(table, "strain_window", where, (0.0, math.inf))
    return CurveSpec(
        path=path,
        strain_column=_string(table, "strain_column", where),
        stress_column=_string(table, "stress_column", where),
        strain_scale=strain_scale,
        stress_scale=stress_scale,
        loading=loading,
        rate=_positive(table, "rate", where),
        temperature=_positive(table, "temperature", where, base.T),
        window=window,
        weight=_positive(table, "weight", where, 1.0),
        where=where,
        energy_column=_string(table, "energy_column", where) if "energy_column" in table
        else None,
    )
