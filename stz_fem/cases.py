"""Case files: the typed model of a specimen run, read from TOML with ``--set`` overrides.

A case is a pydantic model: the sections every specimen shares (``Case``: mesh, material,
initial χ, output, solver) plus the specimen's own ``geometry`` and ``loading`` models
(``case_model``). Unknown keys, wrong types, non-finite numbers and values out of range are
rejected before anything is built, with one line naming the key path, the bad value and what
is allowed (``stz_fem.errors.validation_error``). The schema is documented in docs/cases.md.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    create_model,
    model_validator,
)

from stz_fem.errors import InputError, read_toml, validation_error
from stz_fem.material import MaterialParameters, from_mapping
from stz_fem.material.lagged_update import require_supported
from stz_fem.material.material_files import as_mapping


class Section(BaseModel):
    """A table of a case file: no unknown keys, no type coercion, finite numbers only."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def _material(value: Any) -> MaterialParameters:
    if isinstance(value, MaterialParameters):
        return value
    if not isinstance(value, dict):
        raise InputError(f"material = {value!r}: must be a table (preset or file, and "
                         "parameters in SI units)")
    params = from_mapping(value, where="material")
    require_supported(params)
    return params


def _material_plain(params: MaterialParameters) -> dict[str, Any]:
    """The parameters as a table that reads back to them: unset (None) and infinite values
    (``t_r0 = inf``, relaxation off) are their defaults and JSON has no Infinity."""
    return {k: v for k, v in as_mapping(params).items()
            if v is not None and not (isinstance(v, float) and math.isinf(v))}


Material = Annotated[MaterialParameters, BeforeValidator(_material),
                     PlainSerializer(_material_plain, return_type=dict)]
"""The ``[material]`` table, parsed once into ``MaterialParameters`` (docs/model.md §4)."""


class MeshSection(Section):
    size: float = Field(gt=0.0, description="m, element size where bands are expected")
    # an int in [1, 2], not Literal[1, 2], which would take true as 1
    degree: int = Field(2, ge=1, le=2, description="polynomial degree of the displacement")
    grading: float = Field(1.0, ge=1.0, le=1e3,
                           description="element size far from the band / near it")
    max_dofs: int | None = Field(
        None, ge=1, description="refuse meshes estimated above this many dofs (default: from "
                                "the machine's memory)")


class Bump(Section):
    """A Gaussian bump amplitude·exp(−|x − centre|²/(2 width²)) added to χ₀."""

    centre: list[float] = Field(min_length=2, max_length=3, description="m")
    amplitude: float = Field(description="K")
    width: float = Field(gt=0.0, description="m")


class InitialChi(Section):
    """The initial effective temperature field. Its base value is ``material.chi0`` (the one
    source of χ₀); ``bumps`` and ``random`` add to it, ``grid`` replaces it.
    Keys that the chosen kind does not use are ignored, so ``--set initial_chi.kind=uniform``
    switches a perturbed case off."""

    kind: Literal["uniform", "bumps", "random", "grid"] = "uniform"
    bumps: list[Bump] = Field(default_factory=list)
    std: float = Field(0.0, ge=0.0, description="K, standard deviation of the random field")
    correlation_length: float = Field(1.0, gt=0.0, description="m")
    seed: int = Field(0, ge=0, description="random field seed")
    file: str = Field("", description="gridded field, .npz with x_m, y_m and the key")
    key: str = "chi_K"
    frame: int | None = Field(None, ge=0)
    energy_beta: float | None = Field(None, gt=0.0, description="1/eV, χ = β (U − U₀) T_Z")
    energy_u0: float | None = Field(None, description="eV")
    energy_from_material: bool = Field(
        False, description="the array is a PE per atom (eV) at the material's T, mapped by the "
        "material's PE→χ map (pe_beta, pe_u0, pe_vibration)")

    @model_validator(mode="after")
    def _kind_has_its_keys(self) -> InitialChi:
        if self.kind == "bumps" and not self.bumps:
            raise InputError("initial_chi.bumps: kind = 'bumps' needs at least one bump "
                             "{centre (m), amplitude (K), width (m)}")
        if self.kind == "grid" and not self.file:
            raise InputError("initial_chi.file: kind = 'grid' needs a .npz file")
        if (self.energy_beta is None) != (self.energy_u0 is None):
            raise InputError("initial_chi: energy_beta (1/eV) and energy_u0 (eV) go together; "
                             f"got energy_beta = {self.energy_beta!r}, "
                             f"energy_u0 = {self.energy_u0!r}")
        if self.energy_from_material and self.energy_beta is not None:
            raise InputError("initial_chi: energy_from_material uses the material's PE→χ map; "
                             "drop energy_beta and energy_u0")
        return self


class Output(Section):
    interval: float = Field(0.01, gt=0.0, description="nominal strain between field outputs")
    fields: bool = True


class Solver(Section):
    chi_increment: float = Field(5.0, gt=0.0, description="K per step")
    plastic_increment: float = Field(5e-3, gt=0.0, description="plastic strain per step")
    stress_increment: float = Field(0.02, gt=0.0, description="fraction of s_y per step")
    newton_target: int = Field(6, ge=1, description="Newton iterations a step aims at")
    max_steps: int = Field(100_000, ge=1)
    max_wall_time: float | None = Field(
        None, gt=0.0, description="s of wall time after which the run stops with a checkpoint")
    checkpoint_interval: float = Field(
        1800.0, gt=0.0, description="s of wall time between checkpoints besides those at field "
        "outputs: a run killed outright loses at most this much")
    linear: Literal["auto", "direct", "iterative"] = Field(
        "auto", description="MUMPS LU, or CG + GAMG with the rigid-body near nullspace; auto: "
        "MUMPS in 2-D and small 3-D, CG + GAMG in 3-D above a measured size")


class HeldTemperature(Section):
    """A facet group held at a fixed temperature."""

    temperature: float = Field(gt=0.0, description="K")


class Heat(Section):
    """Heating by plastic work (docs/model.md §3.1): "isothermal" (the bath temperature, as
    without this section), "adiabatic" (each point keeps its heat) or "conducting" (a P1
    temperature field; ``boundary.<group>`` = "insulated" (the default) or
    {temperature = K})."""

    mode: Literal["isothermal", "adiabatic", "conducting"]
    boundary: dict[str, HeldTemperature | Literal["insulated"]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _boundary_kinds(cls, data: Any) -> Any:
        boundary = data.get("boundary") if isinstance(data, dict) else None
        for name, value in (boundary.items() if isinstance(boundary, dict) else ()):
            if isinstance(value, dict):
                try:
                    HeldTemperature.model_validate(value)
                except ValidationError as err:
                    raise validation_error(err, HeldTemperature, f"heat.boundary.{name}") from None
            elif value != "insulated":
                raise InputError(f"heat.boundary.{name} = {value!r}: \"insulated\" or "
                                 "{temperature = K}")
        return data

    @model_validator(mode="after")
    def _boundary_needs_conduction(self) -> Heat:
        if self.boundary and self.mode != "conducting":
            raise InputError(f"heat.boundary: only a conducting field has boundary conditions "
                             f"(heat.mode = {self.mode!r})")
        return self

    @property
    def on(self) -> bool:
        """Whether the temperature is a field (not the uniform bath temperature)."""
        return self.mode != "isothermal"

    def check_material(self, params: MaterialParameters) -> None:
        """InputError unless the material has what this mode needs (checked with the case,
        before any mesh is built)."""
        if not self.on:
            return
        params.heating_per_work()  # needs rho and heat_capacity
        require_supported(params, heating=f"heat.mode = {self.mode!r}")
        if self.mode == "conducting" and params.conductivity is None:
            raise InputError("material.conductivity: heat.mode = 'conducting' needs it "
                             "(W/(m·K); 0 is adiabatic)")

    def check_groups(self, groups: Iterable[str], specimen: str) -> None:
        """InputError unless every boundary group is one of the specimen's facet ``groups``
        (known once the mesh is read, for a user's mesh file)."""
        known = list(groups)
        unknown = sorted(set(self.boundary) - set(known))
        if unknown:
            raise InputError(f"heat.boundary.{unknown[0]}: no such facet group of {specimen}; "
                             f"known: {', '.join(known)}")

    def held(self) -> dict[str, float]:
        """Temperature (K) of each group held at one."""
        return {name: b.temperature for name, b in self.boundary.items()
                if isinstance(b, HeldTemperature)}


HEAT_ONLY = ("rho", "heat_capacity", "conductivity", "heat_fraction")
"""Material parameters that act only with a ``[heat]`` section (docs/model.md §3.1)."""


class Case(Section):
    """What every case has; ``case_model`` adds the specimen's geometry and loading."""

    specimen: str
    title: str = ""
    mesh: MeshSection
    material: Material = Field(default_factory=lambda: _material({"preset": "vitreloy1"}))
    initial_chi: InitialChi = Field(default_factory=InitialChi)
    output: Output = Field(default_factory=Output)
    solver: Solver = Field(default_factory=Solver)
    heat: Heat | None = None

    @model_validator(mode="after")
    def _heat_has_its_material(self) -> Case:
        if self.heat is not None:
            self.heat.check_material(self.material)
        return self

    def plain(self) -> dict[str, Any]:
        """The case as plain JSON values (summary.json, checkpoints, restart checks). Without
        a ``heat`` section the thermal parameters, which then do nothing, are left out, so
        that runs from before they existed still match (reuse, ``--restart``)."""
        if self.heat is not None:
            return self.model_dump(mode="json")
        data = self.model_dump(mode="json", exclude={"heat"})
        data["material"] = {k: v for k, v in data["material"].items() if k not in HEAT_ONLY}
        return data


def case_model(name: str, geometry: type[Section], loading: type[Section],
               mesh: type[Section] = MeshSection) -> type[Case]:
    """The case model of the specimen ``name`` with its geometry and loading sections."""

    def section(model: type[Section]) -> tuple[type[Section], Any]:
        required = any(f.is_required() for f in model.model_fields.values())
        return (model, ... if required else Field(default_factory=model))

    return create_model(f"{name}_case", __base__=Case, specimen=(Literal[name], ...),
                        mesh=(mesh, ...), geometry=section(geometry), loading=section(loading))


def parse_override(text: str) -> tuple[list[str], Any]:
    """``key.path=value`` → (["key", "path"], value); the value is read as TOML if it can be."""
    if "=" not in text:
        raise InputError(f"--set {text!r}: expected key.path=value")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    keys = key.strip().split(".")
    if not all(keys):
        raise InputError(f"--set {text!r}: empty key in '{key.strip()}'")
    return keys, value


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


FILE_KEYS = (("material", "file"), ("initial_chi", "file"), ("mesh", "file"))
"""Case values that name files; relative paths in a case file are relative to that file."""


def read_case(path: str | Path, overrides: list[str] | None = None) -> dict:
    """Raw case data from a TOML file with overrides applied (validated by ``load_case``).

    File names in the case file (``FILE_KEYS``) are resolved against its folder; those given
    with ``--set`` against the working directory.
    """
    data = read_toml(path, "no such case file")
    for section, key in FILE_KEYS:
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            table[key] = str(Path(path).parent / Path(table[key]).expanduser())
    return apply_overrides(data, overrides or [])
