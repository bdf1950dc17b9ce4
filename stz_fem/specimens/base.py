"""What every specimen provides, and the case sections they share."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from stz_fem.cases import Case, MeshSection, Section, case_model
from stz_fem.errors import InputError
from stz_fem.fem.constraints import Periodicity, Prescribed
from stz_fem.fem.contact import PenaltyContact
from stz_fem.fem.machine import Machine


def notch_angle() -> Any:
    """The ``notch_angle`` field of notched geometries."""
    return Field(0.0, ge=0.0, le=150.0, description="degrees between the flanks; 0 is a U notch")


def penalty() -> Any:
    """The ``penalty`` field of contact loadings: k = penalty · E / mesh.size."""
    return Field(100.0, gt=0.0, description="k·h/E")


def machine_stiffness() -> Any:
    """The ``machine_stiffness`` field of loadings through a grip: a compliant testing machine
    in series with the grip (absent: a rigid grip)."""
    return Field(None, gt=0.0, allow_inf_nan=False,
                 description="N/m per m of thickness in 2-D (Pa), N/m in 3-D; absent: rigid")


def penalty_stiffness(case: Case) -> float:
    """Contact penalty k = ``loading.penalty`` · E / ``mesh.size`` (Pa/m): the penetration
    stays about 1/penalty of an element per unit of strain at the contact."""
    return case.loading.penalty * case.material.E / case.mesh.size


def named_facets(data, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Local indices of the facets of the physical groups ``names`` of a gmsh mesh
    (``dolfinx.io.gmsh.MeshData``), by name."""
    return {name: data.facet_tags.find(data.physical_groups[name].tag) for name in names}


def reaction(solver, facets: np.ndarray, component: int,
             lever: Callable[[np.ndarray], np.ndarray] | None = None) -> float:
    """Reaction force (N; N/m in 2-D) on ``facets`` along ``component`` of the current
    iterate: the sum of the nodal internal forces there (with ``lever``, the moment,
    ``Constraints.reaction``). Collective."""
    return solver.constraints.reaction(solver.internal_force(), facets, component, lever)


@dataclass
class Setup:
    """A built specimen: mesh, named boundary facets and constraints."""

    mesh: Any
    facets: dict[str, np.ndarray]
    prescribed: tuple[Prescribed, ...]
    periodic: tuple[Periodicity, ...] = ()
    period: tuple[float | None, ...] | None = None
    contact: PenaltyContact | None = None
    machine: Machine | None = None


@dataclass(frozen=True)
class CurveAxis:
    """One axis of run.png's load curve: the curve.csv ``column`` (in the SI unit its name
    carries) divided by ``unit``, the size in SI units of the unit that ``label`` names (1e-3
    for a length in mm, 1e9 for a stress in GPa)."""

    column: str
    unit: float
    label: str


@dataclass(frozen=True)
class CurveResults:
    """What summary.json's ``specimen_results`` reports from curve.csv's columns
    (``stz_fem.postprocess.specimen_results`` computes it); the defaults report nothing.

    Attributes:
        peak: the column whose largest value marks the peak sample.
        peak_magnitude: the peak is the largest magnitude instead (compression negative).
        report_max: report the peak column's value there, as ``max_<peak>``.
        peak_stress: report the nominal stress (Pa) and strain at the peak sample.
        at_first_flow: columns reported at the first sample with plastic flow, as
            ``plasticity_onset_<column>`` (None where the run stayed elastic).
        final: (summary key, column) pairs: the column's last value.
        at_peak: (summary key, column) pairs: the column's value at the peak sample.
        load_drops: the (position, force) columns whose force drops (in magnitude) are
            reported as ``load_drops``; by default the nominal strain and stress.
        max_abs: columns whose largest magnitude is reported, as ``max_abs_<column>``.
    """

    peak: str = "mean_stress_Pa"
    peak_magnitude: bool = False
    report_max: bool = False
    peak_stress: bool = False
    at_first_flow: tuple[str, ...] = ()
    final: tuple[tuple[str, str], ...] = ()
    at_peak: tuple[tuple[str, str], ...] = ()
    load_drops: tuple[str, str] | None = ("nominal_strain", "mean_stress_Pa")
    max_abs: tuple[str, ...] = ()


BYTES_PER_DOF = 20e3
"""Memory a dof costs at most in these runs (MUMPS factors of P2 problems; docs/numerics.md),
for the default ``mesh.max_dofs``."""

# dofs per node × nodes per cell, and cells per h^d, of gmsh/DOLFINx simplex meshes
_NODES_PER_CELL = {(2, 1): 0.5, (2, 2): 2.0, (3, 1): 0.18, (3, 2): 1.4}
_CELLS_PER_VOLUME = {2: 2.0, 3: 6.0}


def machine_dof_limit() -> int:
    """Default ``mesh.max_dofs``: this machine's memory / ``BYTES_PER_DOF``."""
    return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / BYTES_PER_DOF)


class Specimen:
    """Base of specimens. Subclasses set ``name`` and their ``Geometry`` and ``Loading``
    sections (pydantic models; ``Mesh`` too if theirs differs) and implement ``build``,
    ``nominal_strain`` and ``loads`` (and ``end_time`` when the loading does not end at
    ``loading.end_strain``)."""

    name: ClassVar[str]
    Geometry: ClassVar[type[Section]] = Section
    Loading: ClassVar[type[Section]] = Section
    Mesh: ClassVar[type[Section]] = MeshSection
    loading_axis: ClassVar[int] = 0
    strain_label: ClassVar[str] = "nominal strain"
    stress_label: ClassVar[str] = "mean stress (Pa)"
    load_columns: ClassVar[tuple[str, ...]] = ()
    """Keys of ``loads`` written to curve.csv besides ``mean_stress_Pa``."""
    load_axes: ClassVar[tuple[CurveAxis, CurveAxis] | None] = None
    """(x, y) of run.png's load curve; None: the nominal stress (GPa, ``stress_label``)
    against the nominal strain (``strain_label``)."""
    curve_results: ClassVar[CurveResults] = CurveResults()
    """What summary.json reports of the curve (``stz_fem.postprocess.specimen_results``)."""

    def __init__(self, case: Case) -> None:
        self.case: Any = case

    @classmethod
    @functools.cache
    def case_model(cls) -> type[Case]:
        """The pydantic model of this specimen's case files."""
        return case_model(cls.name, cls.Geometry, cls.Loading, cls.Mesh)

    gdim: ClassVar[int] = 2
    """Space dimension of the mesh (3-D specimens override it)."""

    def build(self, comm) -> Setup:
        raise NotImplementedError

    def domain_measure(self) -> float | None:
        """Area (m², 2-D) or volume (m³, 3-D) of the meshed domain, for the size estimate
        (None: the mesh exists already, nothing to estimate)."""
        return None

    def check_size(self) -> None:
        """Refuse, before meshing, a mesh whose dofs are estimated above ``mesh.max_dofs``.

        The estimate is a lower bound: the whole domain at the coarsest element size
        ``mesh.size × mesh.grading``, so a refusal is certain to be right."""
        measure = self.domain_measure()
        if measure is None:
            return
        m, dim = self.case.mesh, self.gdim
        coarse = m.size * m.grading
        cells = _CELLS_PER_VOLUME[dim] * measure
        for _ in range(dim):  # not ** dim: a huge size must give 0 cells, not an OverflowError
            cells /= coarse
        dofs = cells * _NODES_PER_CELL[dim, m.degree] * dim
        limit = m.max_dofs or machine_dof_limit()
        if dofs > limit:
            raise InputError(
                f"mesh.size = {m.size:g}: this mesh would have at least {dofs:.2g} dofs "
                f"({dim}-D, degree {m.degree}, the domain at element size mesh.size × grading "
                f"= {m.size * m.grading:g} m); the limit is {limit:.3g} (mesh.max_dofs"
                f"{'' if m.max_dofs else ', from this machine’s memory'})")

    def nominal_strain(self, t: float) -> float:
        raise NotImplementedError

    @property
    def end_time(self) -> float:
        """Time (s) at which the nominal strain, linear in time, reaches ``loading.end_strain``
        (specimens that end elsewhere, e.g. at a depth, override this)."""
        return self.case.loading.end_strain / self.strain_rate

    @property
    def strain_rate(self) -> float:
        """Nominal strain rate, 1/s (for the first time step)."""
        return self.nominal_strain(1.0)

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        """Load measures of the current iterate; must include ``mean_stress_Pa``."""
        raise NotImplementedError

    limits_steps: ClassVar[bool] = False
    """Whether ``step_ratio`` limits the steps besides the material's increments."""

    def step_ratio(self, before: dict[str, float], after: dict[str, float]) -> float:
        """The change of the loading's own state over a step (``loads`` at its start and
        end) relative to its limit; the step control keeps it ≲ 1 like the material's
        increment ratios. Only called when ``limits_steps``."""
        return 0.0

    def tensile_surface(self) -> tuple[float, float, float] | None:
        """(y, x_start, x_stop), m: the stretch of a plane face y = const where bands are
        counted (bending: ``stz_fem.postprocess.specimen_results.surface_bands``); None where
        counting does not apply."""
        return None
