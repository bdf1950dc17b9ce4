"""Plane-strain beams in bending: three- or four-point bending by rigid rollers (optionally
notched at mid-span), and pure bending by rotating end grips.

The beam [−L/2, L/2] × [0, t] has its tensile face at y = 0, where bands start (Conner et al.
2004 saw their spacing grow in proportion to the thickness). The nominal strain of both is the
beam-theory strain of the tensile surface at mid-span, the nominal stress the beam-theory
surface stress 6M/t² of the bending moment M per unit depth; summary.json counts the bands
that meet the tensile surface (docs/model.md §6).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from typing import Any

import numpy as np
from mpi4py import MPI
from pydantic import Field

from stz_fem.cases import Case, Section
from stz_fem.errors import InputError
from stz_fem.fem.constraints import Prescribed
from stz_fem.fem.contact import PenaltyContact, RigidIndenter, evaluate
from stz_fem.fem.machine import Machine
from stz_fem.meshing import beam, cached_mesh
from stz_fem.specimens.base import (
    CurveAxis,
    CurveResults,
    Setup,
    Specimen,
    machine_stiffness,
    named_facets,
    notch_angle,
    penalty,
    penalty_stiffness,
    reaction,
)


class BeamGeometry(Section):
    length: float = Field(50e-3, gt=0.0, description="m")
    thickness: float = Field(10e-3, gt=0.0, description="m")
    refine_depth: float = Field(
        0.0, ge=0.0,
        description="m: mesh.size applies within this depth of the tensile face (0: only where "
                    "else refined)")


class _Beam(Specimen):
    """The beam mesh and what the bending specimens share."""

    loading_axis = 0
    strain_label = "nominal surface strain"
    stress_label = "nominal surface stress 6M/t² (Pa)"

    def domain_measure(self) -> float:
        return self.case.geometry.length * self.case.geometry.thickness

    def _mesh(self, comm: MPI.Comm, **extra: Any):
        g, m = self.case.geometry, self.case.mesh
        params = {"length": g.length, "thickness": g.thickness,
                  "size_fine": m.size, "size_far": m.size * m.grading,
                  "surface_depth": g.refine_depth, **extra}
        data = cached_mesh("beam", beam, params, comm, 2)
        names = ("bottom", "top", "left", "right")
        facets = named_facets(data, names)
        return data.mesh, facets


class RollerBending(_Beam):
    """Three-point (``load_span`` = 0) or four-point bending over the span S = ``length``:
    rigid loading rollers at x = ±S_i/2 (or 0) on top move down and press by frictionless
    penalty contact. The end faces are simply supported: u_y = 0 over each face, which
    leaves it free to turn and spreads the reaction as shear over the thickness (a point
    or roller support concentrates it enough to yield there first), and u_x = 0 at the
    left face's mid-height. With ``loading.machine_stiffness`` the loading rollers hang on the
    spring of a compliant machine whose end moves at ``roller_velocity``; ``deflection_m`` is
    then the rollers' travel."""

    name = "roller_bending"

    class Geometry(BeamGeometry):
        load_span: float = Field(0.0, ge=0.0, description="m (0: three-point bending)")
        roller_radius: float = Field(2e-3, gt=0.0, description="m")
        notch_depth: float = Field(0.0, ge=0.0, description="m (0: no notch)")
        notch_radius: float = Field(0.25e-3, gt=0.0, description="m")
        notch_angle: float = notch_angle()

    class Loading(Section):
        roller_velocity: float = Field(1e-5, gt=0.0, description="m/s")
        end_strain: float = Field(0.03, gt=0.0, description="nominal surface strain")
        penalty: float = penalty()
        machine_stiffness: float | None = machine_stiffness()

    load_columns = ("deflection_m", "force_N_per_m", "machine_displacement_m")
    load_axes = (CurveAxis("deflection_m", 1e-3, "deflection (mm)"),
                 CurveAxis("force_N_per_m", 1e3, "roller force per unit thickness (kN/m)"))
    # the peak force and nominal stress there, and the force drops as the machine advances
    curve_results = CurveResults(peak="force_N_per_m", report_max=True, peak_stress=True,
                                 load_drops=("machine_displacement_m", "force_N_per_m"))

    def __init__(self, case: Case) -> None:
        super().__init__(case)
        self._forms: list | None = None

    @property
    def _arm(self) -> float:
        """Distance a from a support to the nearer loading roller, m."""
        g = self.case.geometry
        return 0.5 * (g.length - g.load_span)

    def _check(self) -> None:
        g = self.case.geometry
        problems = []
        if not g.load_span < g.length:
            problems.append(f"need load_span ({g.load_span:g} m) < length "
                            f"({g.length:g} m)")
        if g.notch_depth > 0.0 and not (
                g.notch_radius <= g.notch_depth < 0.5 * g.thickness):
            problems.append(f"a notch needs notch_radius ({g.notch_radius:g} m) ≤ "
                            f"notch_depth ({g.notch_depth:g} m) < thickness/2")
        if problems:
            raise InputError("geometry: " + "; ".join(problems))

    def build(self, comm: MPI.Comm) -> Setup:
        self._check()
        g, loading = self.case.geometry, self.case.loading
        t, half_i = g.thickness, 0.5 * g.load_span
        loads_at = (-half_i, half_i) if half_i > 0.0 else (0.0,)
        msh, facets = self._mesh(
            comm, refine_points=tuple((x, t) for x in loads_at),
            refine_radius=0.1 * g.roller_radius,
            notch_depth=g.notch_depth, notch_radius=g.notch_radius,
            notch_angle=g.notch_angle,
        )
        supports = (
            Prescribed(facets["left"], 1), Prescribed(facets["right"], 1),
            Prescribed(facets["left"], 0,
                       where=lambda x: np.abs(x[1] - 0.5 * t) <= 1e-6 * t),
        )
        R = g.roller_radius
        contact = PenaltyContact(
            tuple(RigidIndenter(R, (x, t + R), loading.roller_velocity) for x in loads_at),
            stiffness=penalty_stiffness(self.case),
            facets=facets["top"],
        )
        k, v = loading.machine_stiffness, loading.roller_velocity
        # a compliant machine carries the loading rollers (one crosshead) on its spring
        machine = None if k is None else Machine(k, lambda time: v * time, contact=contact)
        return Setup(msh, facets, supports, contact=contact, machine=machine)

    def nominal_strain(self, t: float) -> float:
        g, a = self.case.geometry, self._arm
        deflection = self.case.loading.roller_velocity * t
        return 3.0 * g.thickness * deflection / (a * (3.0 * g.length - 4.0 * a))

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        if self._forms is None:
            self._forms = [setup.contact.forms(solver.u, solver.time_constant, k,
                                               depth=solver.grip_constant)
                           for k in range(len(setup.contact.obstacles))]
        force = sum(evaluate(f, solver.mesh.comm)["force"] for f in self._forms)
        moment = 0.5 * force * self._arm
        machine = self.case.loading.roller_velocity * solver.time
        grip = solver.grip_displacement()
        return {"mean_stress_Pa": 6.0 * moment / self.case.geometry.thickness ** 2,
                "deflection_m": machine if grip is None else grip,
                "force_N_per_m": force, "machine_displacement_m": machine}

    def tensile_surface(self) -> tuple[float, float, float]:
        g = self.case.geometry
        half = 0.5 * (g.load_span if g.load_span > 0.0 else g.length)
        return 0.0, -half, half

class PureBending(_Beam):
    """Pure bending: grips clamp the end faces x = ±L/2 and rotate them about their centres
    (0, t/2) by ∓θ/2, opening the lower face. The moment is uniform; bands are counted on the
    lower face at least a thickness away from the grips."""

    name = "pure_bending"

    class Geometry(BeamGeometry):
        length: float = Field(40e-3, gt=0.0, description="m")

    class Loading(Section):
        strain_rate: float = Field(1e-3, gt=0.0, description="nominal surface strain rate, 1/s")
        end_strain: float = Field(0.05, gt=0.0, description="nominal surface strain")

    load_columns = ("rotation_rad", "moment_N")
    curve_results = CurveResults(peak="moment_N", report_max=True, peak_stress=True)

    def build(self, comm: MPI.Comm) -> Setup:
        g = self.case.geometry
        if g.length < 3.0 * g.thickness:
            raise InputError(f"geometry.length = {g.length:g}: must be at least 3 × "
                             f"thickness ({3 * g.thickness:g} m) to leave a uniform span")
        msh, facets = self._mesh(comm)
        mid = 0.5 * g.thickness

        def grip(sign: float):
            def value(x: np.ndarray, t: float) -> np.ndarray:
                return np.vstack([sign * 0.5 * self._rotation(t) * (x[1] - mid),
                                  np.zeros(x.shape[1])])
            return value

        prescribed = (Prescribed(facets["left"], None, grip(1.0)),
                      Prescribed(facets["right"], None, grip(-1.0)))
        return Setup(msh, facets, prescribed)

    def _rotation(self, t: float) -> float:
        """Relative rotation θ of the grips (rad): the surface strain is θ·t/(2L)."""
        g = self.case.geometry
        return 2.0 * g.length * self.nominal_strain(t) / g.thickness

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.strain_rate * t

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        mid = 0.5 * self.case.geometry.thickness
        moment = -reaction(solver, setup.facets["right"],
                                              0, lever=lambda x: x[1] - mid)
        return {"mean_stress_Pa": 6.0 * moment / self.case.geometry.thickness ** 2,
                "rotation_rad": self._rotation(solver.time), "moment_N": moment}

    def tensile_surface(self) -> tuple[float, float, float]:
        g = self.case.geometry
        half = 0.5 * g.length - g.thickness
        return 0.0, -half, half
