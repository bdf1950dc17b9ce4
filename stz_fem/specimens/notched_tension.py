"""Double-edge notched bar (U or V notches) in plane-strain tension, refined at the roots.

The bar [0, W] × [0, L] is clamped at y = 0 and pulled along y at y = L by a rigid grip
moving at constant velocity, or, with ``loading.machine_stiffness``, by a grip hanging on the
spring of a compliant testing machine whose end moves so (``fem.machine.Machine``). Bands
start at the notch roots; annealed glasses localize earlier than rejuvenated ones (Rycroft &
Bouchbinder 2012).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from mpi4py import MPI
from pydantic import Field

from stz_fem.cases import Section
from stz_fem.errors import InputError
from stz_fem.fem.constraints import Prescribed
from stz_fem.fem.machine import Machine
from stz_fem.meshing import cached_mesh, double_edge_notched_bar, model_unit
from stz_fem.specimens.base import (
    CurveResults,
    Setup,
    Specimen,
    machine_stiffness,
    named_facets,
    notch_angle,
    reaction,
)


class NotchedTension(Specimen):
    name = "notched_tension"

    class Geometry(Section):
        width: float = Field(10e-3, gt=0.0, description="m")
        length: float = Field(30e-3, gt=0.0, description="m")
        notch_depth: float = Field(2e-3, gt=0.0, description="m")
        notch_radius: float = Field(0.5e-3, gt=0.0, description="m")
        notch_angle: float = notch_angle()

    class Loading(Section):
        grip_velocity: float = Field(3e-5, gt=0.0, description="m/s")
        end_strain: float = Field(0.05, gt=0.0,
                                  description="nominal strain (grip displacement / length)")
        machine_stiffness: float | None = machine_stiffness()

    loading_axis = 1
    strain_label = "nominal strain (grip displacement / length)"
    stress_label = "nominal stress (grip force / width) (Pa)"
    load_columns = ("grip_force_N_per_m", "plastic_zone_m", "grip_displacement_m")
    curve_results = CurveResults(
        peak_stress=True, final=(("plastic_zone_m", "plastic_zone_m"),),
        at_peak=(("plastic_zone_at_peak_stress_m", "plastic_zone_m"),))
    plastic_threshold = 1e-3
    """Accumulated plastic strain that marks a point as inside the plastic zone."""

    def domain_measure(self) -> float:
        return self.case.geometry.width * self.case.geometry.length

    def build(self, comm: MPI.Comm) -> Setup:
        g = self.case.geometry
        if g.notch_radius > g.notch_depth or 2 * g.notch_depth >= g.width:
            raise InputError(
                f"geometry: notch_radius ({g.notch_radius:g} m) must not exceed notch_depth "
                f"({g.notch_depth:g} m), and two notches must leave a ligament "
                f"(2·notch_depth < width = {g.width:g} m)"
            )
        size = self.case.mesh.size
        unit = model_unit(g.width)
        lengths = {**g.model_dump(exclude={"notch_angle"}), "size_root": size,
                   "size_far": size * self.case.mesh.grading}
        data = cached_mesh(
            "notched_bar", double_edge_notched_bar,
            {**{k: v / unit for k, v in lengths.items()}, "notch_angle": g.notch_angle},
            comm, 2, unit,
        )
        msh = data.mesh
        facets = named_facets(data, ("bottom", "top"))
        v = self.case.loading.grip_velocity

        def grip(x, t):
            return np.vstack([np.zeros(x.shape[1]), np.full(x.shape[1], v * t)])

        stiffness = self.case.loading.machine_stiffness
        if stiffness is None:
            return Setup(msh, facets, (Prescribed(facets["bottom"], None),
                                       Prescribed(facets["top"], None, grip)))
        # a compliant machine: the grip face stays straight and moves along y on its spring
        machine = Machine(stiffness, lambda t: v * t, (Prescribed(facets["top"], 1),))
        return Setup(msh, facets, (Prescribed(facets["bottom"], None),
                                   Prescribed(facets["top"], 0)), machine=machine)

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.grip_velocity * t / self.case.geometry.length

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        force = reaction(solver, setup.facets["top"], 1)
        grip = solver.grip_displacement()
        return {"mean_stress_Pa": force / self.case.geometry.width,
                "grip_force_N_per_m": force, "plastic_zone_m": self._plastic_zone(solver),
                "grip_displacement_m": (self.case.loading.grip_velocity * solver.time
                                        if grip is None else grip)}

    def _plastic_zone(self, solver) -> float:
        """Largest distance (m) from the nearer notch root of a point whose accumulated
        plastic strain exceeds ``plastic_threshold`` (0 before yield)."""
        g = self.case.geometry
        tips = np.array([[g.notch_depth, 0.5 * g.length],
                         [g.width - g.notch_depth, 0.5 * g.length]])
        plastic = solver.points[solver.state.accumulated > self.plastic_threshold, :2]
        local = 0.0
        if plastic.size:
            local = float(np.min(np.linalg.norm(plastic[:, None, :] - tips, axis=2),
                                 axis=1).max())
        return solver.mesh.comm.allreduce(local, op=MPI.MAX)
