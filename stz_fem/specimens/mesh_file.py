"""Your own mesh: any gmsh ``.msh`` or meshio-readable file, loaded through named boundary
groups (docs/cases.md, "Your own mesh").

Each ``[boundary.<group>]`` fixes components of the displacement (``displacement``, m) or
moves them at constant speed (``velocity``, m/s; u = v·t); "free" leaves a component free,
and components no group names are traction-free. The nominal strain is the largest
|v|·t / ℓ over the moving components, with ℓ the mesh's extent along that component (or
``loading.gauge_length``); the group and component that give it are the primary load, whose
reaction force per unit area (length in 2-D) of the group is the nominal stress. curve.csv
has the reaction force of every moving group along each moving component.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import functools
from pathlib import Path
from typing import Literal

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI
from pydantic import Field, create_model

from stz_fem.cases import Case, Section
from stz_fem.errors import InputError, reject_unknown
from stz_fem.fem.constraints import Prescribed
from stz_fem.specimens.base import CurveResults, Setup, Specimen, reaction
from stz_fem.specimens.user_mesh import RawMesh, distribute, read_raw

AXES = "xyz"
FREE = "free"


class BoundaryGroup(Section):
    """What a named group of boundary facets prescribes, per component (x, y[, z])."""

    displacement: list[float | Literal["free"]] | None = Field(
        None, description="m per component, or \"free\"")
    velocity: list[float | Literal["free"]] | None = Field(
        None, description="m/s per component, or \"free\"; u = v·t")


class MeshFile(Specimen):
    name = "mesh_file"

    class Mesh(Section):
        # mesh.size and mesh.grading have no meaning for a given mesh: not allowed here
        file: str = Field(description="path of a .msh or meshio-readable mesh, relative to the "
                                      "case file")
        degree: int = Field(2, ge=1, le=2, description="polynomial degree of the displacement")

    class Loading(Section):
        end_time: float = Field(gt=0.0, description="s")
        gauge_length: float | None = Field(
            None, gt=0.0, description="m (default: the mesh's extent along the fastest moving "
                                      "component)")

    @classmethod
    @functools.cache
    def case_model(cls) -> type[Case]:
        """The case model: mesh file, ``[boundary.<group>]`` tables and loading; no geometry."""
        return create_model("mesh_file_case", __base__=Case, specimen=(Literal[cls.name], ...),
                            mesh=(cls.Mesh, ...), loading=(cls.Loading, ...),
                            boundary=(dict[str, BoundaryGroup], ...))

    def __init__(self, case: Case) -> None:
        super().__init__(case)
        self.path = Path(case.mesh.file)
        self.conditions = _conditions({name: group.model_dump(exclude_none=True)
                                       for name, group in case.boundary.items()})
        self.dimension = len(next(iter(self.conditions.values())))
        moving = [(abs(v), name, c) for name, comps in self.conditions.items()
                  for c, (kind, v) in enumerate(comps) if kind == "velocity" and v != 0.0]
        if not moving:
            raise InputError("boundary: no group moves; give at least one a nonzero velocity")
        unit = "N_per_m" if self.dimension == 2 else "N"
        self.forces: dict[str, tuple[str, int]] = {}
        for name, comps in self.conditions.items():
            driven = [c for c, (kind, _) in enumerate(comps) if kind == "velocity"]
            for c in driven:
                axis = f"_{AXES[c]}" if len(driven) > 1 else ""
                self.forces[f"force_{name}{axis}_{unit}"] = (name, c)
        self.load_columns = tuple(self.forces)
        # where the nominal stress peaks in magnitude, and the largest |force| of each group
        self.curve_results = CurveResults(peak_magnitude=True, peak_stress=True,
                                          max_abs=self.load_columns)
        self._moving = moving
        self._extent: np.ndarray | None = None
        self._areas: dict[str, float] = {}

    # -- loading -----------------------------------------------------------------------

    @property
    def extent(self) -> np.ndarray:
        """The mesh's bounding box size, m (read from the file if not built yet)."""
        if self._extent is None:
            self._extent = read_raw(self.path).extent()
        return self._extent

    def _gauge(self, component: int) -> float:
        given = self.case.loading.gauge_length
        return given if given is not None else float(self.extent[component])

    @property
    def primary(self) -> tuple[str, int, float]:
        """(group, component, nominal strain rate 1/s) of the fastest relative motion."""
        rate, name, c = max((speed / self._gauge(c), name, c) for speed, name, c in self._moving)
        return name, c, rate

    @property
    def loading_axis(self) -> int:  # type: ignore[override]
        return self.primary[1]

    @property
    def strain_label(self) -> str:  # type: ignore[override]
        name, c, _ = self.primary
        return f"nominal strain ({name} {AXES[c]}-displacement / {self._gauge(c):.4g} m)"

    @property
    def stress_label(self) -> str:  # type: ignore[override]
        name, c, _ = self.primary
        return f"nominal stress ({name} {AXES[c]}-force / {name} area) (Pa)"

    def nominal_strain(self, t: float) -> float:
        return self.primary[2] * t

    @property
    def end_time(self) -> float:
        return self.case.loading.end_time

    # -- build and loads ---------------------------------------------------------------

    def _check(self, raw: RawMesh) -> None:
        """What rank 0 checks on the file's contents before the mesh is distributed."""
        reject_unknown(self.conditions, raw.facets, "boundary.",
                       f"no such group in {self.path.name}", "its groups")
        if raw.dim != self.dimension:
            name, comps = next(iter(self.conditions.items()))
            raise InputError(f"boundary.{name}: {len(comps)} components, but {self.path.name}"
                             f" is {raw.dim}-D: give {raw.dim} (numbers or \"free\")")

    def build(self, comm: MPI.Comm) -> Setup:
        user = distribute(self.path, comm, self._check)
        self._extent = user.extent
        prescribed = []
        for name, comps in self.conditions.items():
            for c, (kind, value) in enumerate(comps):
                if kind == "velocity":
                    prescribed.append(Prescribed(user.facets[name], c, _moving(value)))
                elif kind == "displacement":
                    prescribed.append(Prescribed(user.facets[name], c,
                                                 None if value == 0.0 else _held(value)))
        self._areas = {name: _area(user.mesh, user.facets[name]) for name in self.conditions}
        return Setup(user.mesh, user.facets, tuple(prescribed))

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        values = {column: reaction(solver, setup.facets[name], c)
                  for column, (name, c) in self.forces.items()}
        name, c, _ = self.primary
        primary = next(k for k, v in self.forces.items() if v == (name, c))
        return {"mean_stress_Pa": values[primary] / self._areas[name], **values}

def _moving(speed: float):
    return lambda x, t: np.full(x.shape[1], speed * t)


def _held(value: float):
    return lambda x, t: np.full(x.shape[1], value)


def _area(msh: dmesh.Mesh, facets: np.ndarray) -> float:
    """Length (2-D) or area (3-D) of boundary facets, m or m² (collective)."""
    fdim = msh.topology.dim - 1
    order = np.argsort(facets)
    tags = dmesh.meshtags(msh, fdim, facets[order].astype(np.int32),
                          np.ones(len(facets), dtype=np.int32))
    ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
    one = fem.Constant(msh, 1.0)
    local = fem.assemble_scalar(fem.form(one * ds(1)))
    return msh.comm.allreduce(local, op=MPI.SUM)


def _conditions(table: dict) -> dict[str, list[tuple[str | None, float]]]:
    """``[boundary]`` as group → per component (kind, value): kind "displacement",
    "velocity" or None (free). InputError for anything else."""
    if not table:
        raise InputError("boundary: empty; name at least one group of the mesh, e.g. "
                         "[boundary.top] velocity = [\"free\", -1e-5]")
    out: dict[str, list[tuple[str | None, float]]] = {}
    sizes = set()
    for name, spec in table.items():
        where = f"boundary.{name}"
        if not spec:
            raise InputError(f"{where}: give displacement (m) and/or velocity (m/s)")
        comps: list[tuple[str | None, float]] | None = None
        for kind, values in spec.items():  # types checked by BoundaryGroup
            if len(values) not in (2, 3):
                raise InputError(f"{where}.{kind} = {values!r}: must be a list of 2 (2-D) or "
                                 f"3 (3-D) numbers or \"{FREE}\"")
            if comps is None:
                comps = [(None, 0.0)] * len(values)
            if len(values) != len(comps):
                raise InputError(f"{where}: displacement and velocity have different lengths")
            for c, v in enumerate(values):
                if v == FREE:
                    continue
                if comps[c][0] is not None:
                    raise InputError(f"{where}: component {AXES[c]} is given both a "
                                     "displacement and a velocity; leave one \"free\"")
                comps[c] = (kind, float(v))
        if all(kind is None for kind, _ in comps):
            raise InputError(f"{where}: every component is \"free\"; the group holds nothing")
        out[name] = comps
        sizes.add(len(comps))
    if len(sizes) > 1:
        raise InputError("boundary: all groups need the same number of components (2 in 2-D, "
                         "3 in 3-D)")
    return out
