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
    pressure = true             # α (flow stress vs pressure) and β (plastic volume vs plastic
                                # shear) of the [[pressure_curves]] (pressure_analysis.py)
    dilatancy_from = 0.02       # plastic shear strain from which β is fitted

    starts = 8                  # global fit: local fits from the 8 best of
    design = 64                 # 64 Sobol points over the bounds (seeded), in
    seed = 0                    # `workers` processes; starts = 1: one local fit from initial
    workers = 2
    tolerance = 1e-10           # ftol, xtol, gtol of each local fit (default 1e-8)
    minima = 5                  # distinct minima listed in report.json
    energy_weight = 0.0         # > 0: also fit the model's χ along each curve to the PE→χ map
                                # of its energy column (needs pe_beta, pe_u0 in the material)

    [uncertainty]               # optional: bootstrap over the training curves
    bootstrap = 16              # refits on resampled curve sets → spreads, identified or not,
    seed = 0                    # and ensemble bands in the figures
    identified_spread = 0.1     # relative spread above which a parameter is "not identified"

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
    pe_per_atom = -4.8484       # optional: the glass's mean PE per atom (eV) at this T before
                                # loading (default: first energy_column value); with a PE→χ
                                # map in the material (pe_beta, pe_u0, free or fixed) the
                                # curve's χ₀ = β(U − 1.5 k_B T − U₀)T_Z (docs/model.md §5)
    glass = "q1e13"             # optional label of the glass state

    [[validate]]                # held-out curves: same keys as [[curves]]; never fitted,
    path = "other.csv"          # scored in report.json → validation and validation.png

    [[pressure_curves]]         # simple shear under a held normal stress, for [analyses]
    path = "p1.csv"             # pressure; keys of [[curves]] (strain_column default
    rate = 1e10                 # "engineering_shear_strain", stress_column "shear_stress_Pa")
    temperature = 300.0         # plus pressure_column ("pressure_Pa", −tr σ/3),
    held = "iso"                # equivalent_stress_column ("equivalent_shear_stress_Pa", s̄),
                                # volume_column ("volume_A3"); held: "iso" (Pxx = Pyy = Pzz
                                # held) or "y" (σyy only); α is fitted per (T, rate, held)

Every parameter not listed under ``[free]`` keeps its base value. A configuration may state only
how it differs from another, ``base = "other.toml"`` (``config_base``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from stz_fem import material
from stz_fem.calibration.config_base import read_config
from stz_fem.errors import InputError, key_error, validation_error
from stz_fem.material import MaterialParameters
from stz_fem.material_point import StepLimits

FITTED_LOADINGS = ("simple-shear", "uniaxial-tension", "uniaxial-compression")
FREE_NAMES = tuple(
    name for name in MaterialParameters.model_fields if name not in ("rate_term", "T")
)
"""Parameters that may be free: every numeric material parameter but T (set per curve)."""

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Positive = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.0)]
Count = Annotated[int, Field(strict=True, ge=1)]
Name = Annotated[str, Field(strict=True, min_length=1)]
_STRICT = ConfigDict(frozen=True, extra="forbid")


_PAIR = "must be [lower, upper] with lower < upper"


def _two(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(_PAIR)
    return value


def _ordered(pair: tuple[float, float]) -> tuple[float, float]:
    if not pair[0] < pair[1]:
        raise ValueError(_PAIR)
    return pair


class FreeParameter(BaseModel):
    """A fitted parameter (``[free.<name>]``): bounds and start in its SI unit; ``log`` fits
    ln(value). ``initial`` defaults to the base material's value."""

    model_config = _STRICT

    name: str = Field(exclude=True, description="material parameter (docs/model.md name): the key")
    bounds: tuple[Number, Number] = Field(description="[lower, upper], finite, lower < upper")
    initial: Number = Field(description="start value; default: the base material's value")
    log: StrictBool = False

    _bounds_pair = field_validator("bounds", mode="before")(_two)
    _bounds_ordered = field_validator("bounds")(_ordered)

    @model_validator(mode="after")
    def _start_inside(self) -> FreeParameter:
        if not self.lower <= self.initial <= self.upper:
            raise key_error("initial", f"must lie within bounds {list(self.bounds)}", self.initial)
        if self.log and self.lower <= 0.0:
            raise key_error("bounds", "log = true needs lower > 0", list(self.bounds))
        if not self.log and self.initial == 0.0:
            raise key_error("initial", "must be nonzero (it sets the fit's scale)", 0.0)
        return self

    @property
    def lower(self) -> float:
        return self.bounds[0]

    @property
    def upper(self) -> float:
        return self.bounds[1]


def config_file(value: Any, info: ValidationInfo) -> Any:
    """A file named in a configuration, resolved against the configuration's folder (the
    validation context's ``root``); the file must exist."""
    root = (info.context or {}).get("root")
    if root is None:
        return value
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string (a file, relative to the config)")
    # normpath, not resolve: keep a relative config's paths relative (and readable)
    path = Path(os.path.normpath(root / value))
    if not path.is_file():
        raise ValueError(f"no such file ({path})")
    return path


class CurveSpec(BaseModel):
    """One stress–strain curve to fit (``[[curves]]``; see the module docstring for the keys).

    ``path`` in a configuration file is relative to the file; ``where`` is the curve's key path
    in the configuration (e.g. ``curves[0]``), for messages about its data.
    """

    model_config = _STRICT

    path: Path
    strain_column: Name
    stress_column: Name
    strain_scale: Number = Field(1.0, description="multiplies the column to give strain")
    stress_scale: Number = Field(1.0, description="multiplies the column to give Pa")
    loading: Literal[FITTED_LOADINGS]  # type: ignore[valid-type]
    rate: Positive = Field(json_schema_extra={"unit": "1/s"})
    temperature: Positive = Field(json_schema_extra={"unit": "K"})
    # the upper end may be inf: to the end of the curve
    window: tuple[Number, Annotated[float, Field(strict=True)]] = Field(
        (0.0, math.inf), alias="strain_window", description="strain interval fitted")
    weight: Positive = 1.0
    where: str = Field("curves", exclude=True, description="key path in the configuration")
    energy_column: Name | None = Field(
        None, description="potential energy per atom (eV) along the curve, for energy_map")
    pe_per_atom: Number | None = Field(
        None, description="mean potential energy per atom (eV) of the glass at the curve's T "
        "before loading; default: the first energy_column value. With a PE→χ map in the "
        "material (pe_beta, pe_u0) it sets the curve's χ₀")
    glass: Name | None = Field(None, description="label of the glass state (reports only)")

    _window_pair = field_validator("window", mode="before")(_two)
    _window_ordered = field_validator("window")(_ordered)

    _resolve = field_validator("path", mode="before")(config_file)

    @field_validator("strain_scale", "stress_scale")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0.0:
            raise ValueError("must be nonzero")
        return value


class PressureCurveSpec(CurveSpec):
    """A simple-shear curve under a held normal stress (``[[pressure_curves]]``), for the
    pressure analysis: the σ₁₂ curve of ``CurveSpec`` plus pressure, s̄ and volume."""

    loading: Literal["simple-shear"] = "simple-shear"
    pressure_column: Name = Field("pressure_Pa", description="p = −tr σ/3, Pa")
    equivalent_stress_column: Name = Field("equivalent_shear_stress_Pa",
                                           description="s̄ = √(s:s/2), Pa")
    volume_column: Name = Field("volume_A3", description="cell volume, any unit")
    held: Literal["iso", "y"] = Field("iso", description="normal stresses held: all, or σyy")


class Analyses(BaseModel):
    """Which rate-law analyses of the curves to report (``[analyses]``)."""

    model_config = _STRICT

    johnson_samwer: StrictBool = False
    eyring: StrictBool = False
    flow_window: Positive = Field(0.05, description="final strain interval of the flow stress")
    energy_map: StrictBool = False
    loading_slope_strain: Positive | None = Field(
        None, description="strain up to which the loading-slope analysis fits each curve's "
        "apparent modulus and the model's (None: off)")
    pressure: StrictBool = False
    dilatancy_from: Positive = Field(0.02, description="plastic shear strain from which the "
                                     "pressure analysis fits β")


class StepLimitsTable(BaseModel):
    """``fit.step_limits``: largest χ change (K), plastic strain and relative stress change."""

    model_config = _STRICT

    chi: Positive = Field(2.0, json_schema_extra={"unit": "K"})
    plastic_strain: Positive = 2e-3
    stress: Positive = 1e-2


class FitSettings(BaseModel):
    """``[fit]``: numerics of the least-squares fit."""

    model_config = _STRICT

    step_limits: StepLimitsTable = StepLimitsTable()
    diff_step: Positive = Field(1e-3, description="relative finite-difference step")
    max_evaluations: Count = 200
    max_steps: Count = Field(20_000, description="driver steps per curve; more fails the trial")
    starts: Count = Field(1, description="local fits polished (1: from the initial values "
                          "only, no design); more: from the best points of the design")
    design: Annotated[int, Field(strict=True, ge=0)] = Field(
        0, description="Sobol points over the bounds whose cost picks the starts")
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    workers: Count = Field(1, description="processes evaluating the design and the starts")
    tolerance: Positive = Field(1e-8, description="ftol, xtol and gtol of each local fit")
    minima: Count = Field(5, description="distinct minima listed in report.json")
    energy_weight: Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] = Field(
        0.0, description="weight of the χ-vs-PE-map residuals of curves with energies")


class Uncertainty(BaseModel):
    """``[uncertainty]``: bootstrap over curves (each refit from the optimum on a resample of
    the training curves, drawn with replacement) for spreads, identifiability and bands."""

    model_config = _STRICT

    bootstrap: Annotated[int, Field(strict=True, ge=0)] = 0
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    identified_spread: Positive = Field(
        0.1, description="relative spread (std/|value|) above which a parameter is reported "
        "as not identified")


class FreeParametersConfig(BaseModel):
    """What every fitting configuration has: the base material and its ``[free.<name>]``
    parameters, each start a valid material."""

    model_config = _STRICT

    base: MaterialParameters = Field(alias="material")
    free_table: dict[str, FreeParameter] = Field(alias="free")

    @model_validator(mode="after")
    def _starts_are_materials(self) -> FreeParametersConfig:
        for p in self.free:
            self.base.replace(**{p.name: p.initial})  # InputError if not a valid material
        return self

    @property
    def free(self) -> tuple[FreeParameter, ...]:
        return tuple(self.free_table.values())


class FitConfig(FreeParametersConfig):
    """A parsed calibration configuration (``load_config``)."""

    fit: FitSettings = FitSettings()
    analyses: Analyses = Analyses()
    uncertainty: Uncertainty = Uncertainty()
    curves: tuple[CurveSpec, ...] = Field(min_length=1)
    validate_curves: tuple[CurveSpec, ...] = Field((), alias="validate",
                                                   description="held-out curves, never fitted")
    pressure_curves: tuple[PressureCurveSpec, ...] = Field(
        (), description="simple shear under held pressures, for [analyses] pressure")

    @model_validator(mode="before")
    @classmethod
    def _complete(cls, data: Any, info: ValidationInfo) -> Any:
        """Parse the material once; give free parameters and curves their defaults from it."""
        if not isinstance(data, dict) or not isinstance(data.get("material"), dict):
            return data
        root = (info.context or {}).get("root", Path("."))
        data = dict(data)
        base = data["material"] = _base_material(data["material"], root)
        if isinstance(data.get("free"), dict):
            data["free"] = _free_tables(data["free"], base)
        md_columns = {"strain_column": "engineering_shear_strain",
                      "stress_column": "shear_stress_Pa"}  # of calibration/md/run_md.py
        for key in ("curves", "validate", "pressure_curves"):
            curves = data.get(key)
            defaults = {"temperature": base.T} | (md_columns if key == "pressure_curves" else {})
            if isinstance(curves, list) and all(isinstance(c, dict) for c in curves):
                data[key] = [_with(c, f"{key}[{k}]", {"where": f"{key}[{k}]"}, defaults)
                             for k, c in enumerate(curves)]
        return data

    @model_validator(mode="after")
    def _pressure_curves_given(self) -> FitConfig:
        if self.analyses.pressure and not self.pressure_curves:
            raise key_error("analyses.pressure", "needs [[pressure_curves]] (simple shear "
                            "under held pressures, with pressure and volume columns)", True)
        return self

    @property
    def limits(self) -> StepLimits:
        return StepLimits(**self.fit.step_limits.model_dump())

    @property
    def diff_step(self) -> float:
        return self.fit.diff_step

    @property
    def max_evaluations(self) -> int:
        return self.fit.max_evaluations

    @property
    def max_steps(self) -> int:
        return self.fit.max_steps


def _with(table: dict[str, Any], path: str, fixed: dict[str, Any], defaults: dict[str, Any]
          ) -> dict[str, Any]:
    """The table with ``fixed`` entries (set by the configuration, not file keys) and
    ``defaults`` for missing keys (None: no default)."""
    for key in fixed:
        if key in table:
            raise key_error(f"{path}.{key}", "unknown key")
    return {**{k: v for k, v in defaults.items() if v is not None}, **table, **fixed}


def _free_tables(tables: dict[str, Any], base: MaterialParameters) -> dict[str, Any]:
    if not tables:
        raise key_error("free", f"at least one free parameter needed; allowed: {_names()}")
    out = {}
    for name, spec in tables.items():
        if name not in FREE_NAMES:
            raise key_error(f"free.{name}", f"not a fittable material parameter; allowed: "
                            f"{_names()}")
        out[name] = _with(spec, f"free.{name}", {"name": name}, {"initial": getattr(base, name)}
                          ) if isinstance(spec, dict) else spec
    return out


def _names() -> str:
    return ", ".join(FREE_NAMES)


def _base_material(table: dict[str, Any], root: Path) -> MaterialParameters:
    """The ``[material]`` table through ``material.from_mapping``, its file relative to root."""
    file = table.get("file")
    if file is not None:
        if not isinstance(file, str) or not (root / file).is_file():
            raise InputError(f"material.file = {file!r}: not a file (relative to the config)")
        table = {**table, "file": str(root / file)}
    elif "preset" not in table:
        raise InputError(
            f"material: needs preset (allowed: {', '.join(material.PRESETS)}) or file"
        )
    return material.from_mapping(table, where="material")


def load_config(path: str | Path) -> FitConfig:
    """Parse and validate a calibration TOML file.

    Raises:
        InputError: unreadable file or a bad key, with the key path, value and what is allowed.
    """
    path = Path(path)
    return parse_config(read_config(path), path.parent)


def parse_config(data: dict[str, Any], root: Path) -> FitConfig:
    """Validate a configuration mapping; relative paths are resolved against ``root``."""
    try:
        return FitConfig.model_validate(data, context={"root": root})
    except ValidationError as err:
        raise validation_error(err, FitConfig) from None
