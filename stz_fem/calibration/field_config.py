"""Configuration of a field-level calibration (``stz-fem calibrate-fields CONFIG``).

Layout (SI units; paths relative to the configuration file)::

    [material]                  # base material: preset or file, plus fixed overrides
    preset = "cu50zr50"
    pe_beta = 8.0               # 1/eV  a PE→χ map: χ₀ is mapped from the energy frame
    pe_u0 = -3.3625             # eV    (without one: uniform χ₀ = chi0)

    [free.pe_beta]              # one table per free parameter (docs/model.md names)
    bounds = [2.0, 12.0]        # 1/eV
    [free.chi0]                 # mean of the initial χ map, K: with pe_beta it sets pe_u0
    bounds = [250.0, 650.0]
    [free.l_chi]
    bounds = [2e-9, 16e-9]      # m
    log = true                  # optional: search ln(value)

    [data]
    fields = "../data/kontolati2021/fields.npz"   # x_m, y_m, [frame, y, x] fields
    curve = "../data/kontolati2021/stress_strain.csv"
    strain_column = "nominal_shear_strain"         # engineering γ
    stress_column = "shear_stress_Pa"              # Pa
    strain_key = "shear_strain"                    # MD map compared with the FE total γ_xy
    energy_key = "potential_energy_eV"             # per-atom PE (eV) mapped to χ₀
    energy_frame = 0
    frames = [30, 50, 70, 100]                     # MD frames whose strain maps are fitted

    [cell]                      # the FE cell of every evaluation (periodic_cell, COMM_SELF)
    mesh_size = 2e-9            # m
    shear_rate = 1e8            # 1/s
    output_interval = 0.05      # nominal strain between field outputs (must hit the frames)
    chi_increment = 50.0        # K per step     (solver limits, docs/cases.md)
    stress_increment = 0.2      # of s_y per step
    plastic_increment = 0.05
    max_wall_time = 120.0       # s per evaluation; longer counts as failed

    [objective]                 # each part is (error / scale)²; docs/model.md §5
    centre = 2.5e-9             # m, band-centre error scale
    width = 0.25                # relative FWHM error scale
    correlation = 0.15          # scale of 1 − r
    stress = 0.05               # stress RMS / MD peak scale
    weights = { centre = 1.0, width = 1.0, correlation = 1.0, stress = 1.0 }

    [search]
    design = 16                 # seeded Sobol points first
    evaluations = 120           # total budget (design included)
    workers = 2                 # processes, one FE cell each
    seed = 0
    candidates = 4096           # random points scored by expected improvement per batch
    xi = 0.01                   # EI exploration margin (units of the standardized objective)
    max_wall_time = 3300.0      # s for the whole search; it stops after the running batch

With a PE→χ map in the material the initial χ of every cell is χ = β(U − c·k_B·T − U₀)T_Z of
the energy frame; ``chi0`` free then means the map's mean over the MD grid, and U₀ follows from
it and β (``field_objective.map_u0``), so ``pe_u0`` itself is never free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from stz_fem.calibration.config import (
    FREE_NAMES,
    FreeParametersConfig,
    _base_material,
    _free_tables,
    config_file,
)
from stz_fem.errors import InputError, key_error, read_toml, validation_error

Positive = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.0)]
NonNegative = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0)]
Count = Annotated[int, Field(strict=True, ge=1)]
Name = Annotated[str, Field(strict=True, min_length=1)]
_STRICT = ConfigDict(frozen=True, extra="forbid")
FIELD_FREE_NAMES = tuple(n for n in FREE_NAMES if n != "pe_u0")
"""Free in a field fit: every fittable material parameter but pe_u0 (set by chi0, pe_beta)."""


class DataSection(BaseModel):
    """``[data]``: the MD fields and stress curve the cells are scored against."""

    model_config = _STRICT

    fields: Path = Field(description=".npz with x_m, y_m and [frame, y, x] fields")
    curve: Path = Field(description="stress–strain CSV with a header row")
    strain_column: Name = "nominal_shear_strain"
    stress_column: Name = "shear_stress_Pa"
    strain_key: Name = "shear_strain"
    energy_key: Name = "potential_energy_eV"
    energy_frame: Annotated[int, Field(strict=True, ge=0)] = 0
    frames: tuple[Annotated[int, Field(strict=True, ge=1)], ...] = Field(
        min_length=1, description="MD frames whose strain maps are fitted")

    _paths = field_validator("fields", "curve", mode="before")(config_file)

    @field_validator("frames")
    @classmethod
    def _distinct(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise ValueError("frames must be distinct")
        return tuple(sorted(value))


class CellSection(BaseModel):
    """``[cell]``: the coarse periodic FE cell each evaluation runs (serial)."""

    model_config = _STRICT

    mesh_size: Positive = Field(2e-9, json_schema_extra={"unit": "m"})
    degree: Annotated[int, Field(strict=True, ge=1, le=2)] = 2
    shear_rate: Positive = Field(1e8, json_schema_extra={"unit": "1/s"})
    output_interval: Positive = Field(0.05, description="nominal strain between outputs")
    chi_increment: Positive = Field(50.0, json_schema_extra={"unit": "K"})
    stress_increment: Positive = Field(0.2, description="fraction of s_y per step")
    plastic_increment: Positive = 0.05
    max_wall_time: Positive = Field(120.0, json_schema_extra={"unit": "s"})
    max_steps: Count = 5000


class Weights(BaseModel):
    model_config = _STRICT

    centre: NonNegative = 1.0
    width: NonNegative = 1.0
    correlation: NonNegative = 1.0
    stress: NonNegative = 1.0


class ObjectiveSection(BaseModel):
    """``[objective]``: scales that make each part (error/scale)², and their weights."""

    model_config = _STRICT

    centre: Positive = Field(2.5e-9, json_schema_extra={"unit": "m"})
    width: Positive = Field(0.25, description="relative FWHM error")
    correlation: Positive = Field(0.15, description="1 − Pearson r")
    stress: Positive = Field(0.05, description="stress RMS / MD peak")
    weights: Weights = Weights()


class SearchSection(BaseModel):
    """``[search]``: Sobol design, then expected-improvement batches on a GP surrogate."""

    model_config = _STRICT

    design: Count = 16
    evaluations: Count = 120
    workers: Count = 2
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    candidates: Count = 4096
    xi: NonNegative = 0.01
    max_wall_time: Positive = Field(3300.0, json_schema_extra={"unit": "s"})

    @model_validator(mode="after")
    def _budget(self) -> SearchSection:
        if self.evaluations < self.design:
            raise key_error("evaluations", f"must be ≥ design ({self.design})", self.evaluations)
        return self


class FieldFitConfig(FreeParametersConfig):
    """A parsed field-calibration configuration (``load_field_config``)."""

    data: DataSection
    cell: CellSection = CellSection()
    objective: ObjectiveSection = ObjectiveSection()
    search: SearchSection = SearchSection()

    @model_validator(mode="before")
    @classmethod
    def _complete(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("material"), dict):
            return data
        root = (info.context or {}).get("root", Path("."))
        data = dict(data)
        base = data["material"] = _base_material(data["material"], root)
        free = data.get("free")
        if isinstance(free, dict):
            if "pe_u0" in free:
                raise key_error("free.pe_u0", "not free in a field fit: free chi0 (the map's "
                                "mean, K) with pe_beta sets it")
            data["free"] = _free_tables(free, base)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FieldFitConfig:
        if "pe_beta" in self.free_table and self.base.pe_beta is None:
            raise key_error("free.pe_beta", "needs a PE→χ map to start from: pe_beta (1/eV) "
                            "and pe_u0 (eV) in [material]")
        return self

    @property
    def uses_map(self) -> bool:
        """Whether χ₀ comes from the PE map of ``data.energy_key`` (the material has one)."""
        return self.base.pe_beta is not None


def load_field_config(path: str | Path) -> FieldFitConfig:
    """Parse and validate a field-calibration TOML file.

    Raises:
        InputError: unreadable file or a bad key, in one line (key path, value, what is allowed).
    """
    path = Path(path)
    return parse_field_config(read_toml(path, "field calibration configuration not found"),
                              path.parent)


def parse_field_config(data: dict[str, Any], root: Path) -> FieldFitConfig:
    """Validate a configuration mapping; relative paths are resolved against ``root``."""
    try:
        return FieldFitConfig.model_validate(data, context={"root": root})
    except ValidationError as err:
        raise validation_error(err, FieldFitConfig) from None
    except InputError:
        raise
