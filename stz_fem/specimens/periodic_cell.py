"""A fully periodic plane-strain cell in simple shear: the continuum twin of an MD box.

The cell [0, L] × [0, H] repeats in x and in y; the mean engineering shear strain γ(t) = γ̇t
enters as the jump u(x, y + H) = u(x, y) + γ(t)·H·e_x across the y period (Lees–Edwards
boundaries of a SLLOD run). One corner is pinned to remove the rigid translation. The mean shear
stress is the x-force that the image side transmits, per unit length L.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from pydantic import Field

from stz_fem.cases import Section
from stz_fem.fem.constraints import Periodicity, Prescribed
from stz_fem.specimens.base import Setup
from stz_fem.specimens.sheared_rectangle import ShearedRectangle


class PeriodicCell(ShearedRectangle):
    name = "periodic_cell"

    class Geometry(Section):
        length: float = Field(gt=0.0, description="m")
        height: float = Field(gt=0.0, description="m")

    class Loading(Section):
        shear_rate: float = Field(gt=0.0, description="1/s (engineering shear strain rate)")
        end_strain: float = Field(gt=0.0, description="nominal engineering shear strain")

    stress_label = "mean shear stress (Pa)"

    def build(self, comm) -> Setup:
        L, H = self._geometry
        msh = self._rectangle(comm, max(round(H / self.case.mesh.size), 1))
        tol = 1e-9 * max(L, H)
        bottom, top = self._sides(msh, tol)
        rate = self.case.loading.shear_rate

        corner = Prescribed(bottom, None,
                            where=lambda x: np.isclose(x[0], 0.0, atol=tol))
        periodic = (
            Periodicity(lambda x: np.isclose(x[0], L, atol=tol), (L, 0.0)),
            Periodicity(lambda x: np.isclose(x[1], H, atol=tol), (0.0, H),
                        jump=lambda t: (rate * t * H, 0.0)),
        )
        return Setup(msh, {"bottom": bottom, "top": top}, (corner,), periodic, period=(L, H))

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.shear_rate * t

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        force = self._shear_force(solver, setup)
        return {"mean_stress_Pa": force / self._geometry[0], "shear_force_N_per_m": force}
