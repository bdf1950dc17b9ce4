"""A plane-strain bar in uniaxial compression or tension between frictionless platens.

The bar [−W/2, W/2] × [0, H] (unstructured gmsh triangles, so that no mesh direction favours
a band angle) slides freely on the platens y = 0 and y = H; the top one moves at constant
speed. A χ imperfection (``initial_chi``) seeds a band whose angle to the loading axis shows
the pressure sensitivity α: 45° with α = 0; with α > 0, below 45° in compression and above in
tension (Zr-based glasses: 43° and 54°, Zhang, Eckert & Schultz 2003; the law's deviatoric
flow turns them by only ~0.3° at α = 0.1, dilatancy β turns them further: docs/validation.md).
With ``loading.machine_stiffness`` the top platen hangs on the spring of a compliant testing
machine whose end moves at the nominal rate (``fem.machine.Machine``); the curve's
``platen_displacement_m`` is then the platen's, the nominal strain the machine's.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from typing import Literal

import numpy as np
from mpi4py import MPI
from pydantic import Field

from stz_fem.cases import Section
from stz_fem.fem.constraints import Prescribed
from stz_fem.fem.machine import Machine
from stz_fem.meshing import beam, cached_mesh
from stz_fem.specimens.base import (
    CurveResults,
    Setup,
    Specimen,
    machine_stiffness,
    named_facets,
    reaction,
)


class UniaxialBar(Specimen):
    name = "uniaxial_bar"

    class Geometry(Section):
        width: float = Field(10e-3, gt=0.0, description="m")
        height: float = Field(20e-3, gt=0.0, description="m")

    class Loading(Section):
        mode: Literal["compression", "tension"] = "compression"
        strain_rate: float = Field(1e-3, gt=0.0, description="1/s, nominal")
        end_strain: float = Field(0.05, gt=0.0,
                                  description="nominal strain (platen displacement / height)")
        machine_stiffness: float | None = machine_stiffness()

    loading_axis = 1
    strain_label = "nominal strain (machine displacement / height)"
    stress_label = "nominal stress (platen force / width, compression negative) (Pa)"
    load_columns = ("platen_displacement_m",)
    curve_results = CurveResults(peak_magnitude=True, peak_stress=True)

    def domain_measure(self) -> float:
        return self.case.geometry.width * self.case.geometry.height

    def build(self, comm: MPI.Comm) -> Setup:
        g, m = self.case.geometry, self.case.mesh
        size = m.size
        # the beam mesh turned on its side: its "thickness" is the bar's height, and its end
        # faces carry a mid-height node that pins the sideways drift
        data = cached_mesh("beam", beam, {"length": g.width, "thickness": g.height,
                                          "size_fine": size, "size_far": size}, comm, 2)
        facets = named_facets(data, ("bottom", "top", "left"))
        speed = self.case.loading.strain_rate * g.height * self._sign
        top = Prescribed(facets["top"], 1, lambda x, t: np.full(x.shape[1], speed * t))
        stiffness = self.case.loading.machine_stiffness
        # a compliant machine: the top platen is the grip, its spring's end moves at speed
        machine = None if stiffness is None else Machine(stiffness, lambda t: speed * t, (top,))
        prescribed = (
            Prescribed(facets["bottom"], 1),
            *(() if machine else (top,)),
            Prescribed(facets["left"], 0,
                       where=lambda x: np.abs(x[1] - 0.5 * g.height) <= 1e-6 * g.height),
        )
        return Setup(data.mesh, facets, prescribed, machine=machine)

    @property
    def _sign(self) -> float:
        return -1.0 if self.case.loading.mode == "compression" else 1.0

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.strain_rate * t

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        force = reaction(solver, setup.facets["top"], 1)
        grip = solver.grip_displacement()
        return {"mean_stress_Pa": force / self.case.geometry.width,
                "platen_displacement_m": (self.case.loading.strain_rate * self.case.geometry.height
                                          * self._sign * solver.time if grip is None else grip)}
