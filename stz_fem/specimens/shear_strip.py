"""The standard STZ shear-band benchmark: a strip periodic in x between two moving walls.

Plane strain, length L × height H, no-slip walls at y = 0 and y = H moving at ∓v and ±v
(nominal engineering shear rate 2v/H), periodic in x (Rycroft & Bouchbinder 2012).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from pydantic import Field

from stz_fem.cases import Section
from stz_fem.fem.constraints import Periodicity, Prescribed
from stz_fem.specimens.base import Setup
from stz_fem.specimens.sheared_rectangle import ShearedRectangle


class ShearStrip(ShearedRectangle):
    name = "shear_strip"

    class Geometry(Section):
        length: float = Field(0.08, gt=0.0, description="m")
        height: float = Field(0.02, gt=0.0, description="m")

    class Loading(Section):
        wall_velocity: float = Field(2.4713e-4, gt=0.0, description="m/s")
        end_strain: float = Field(0.2, gt=0.0, description="nominal engineering shear strain")

    stress_label = "mean wall shear stress (Pa)"

    def build(self, comm) -> Setup:
        L, H = self._geometry
        h = self.case.mesh.size
        # y = H/2 + (H/2)·f(ξ), f(s) = sign(s)(|s| + a|s|³)/(1 + a): spacing grows from h at
        # mid-height (where the band forms) to ratio·h at the walls, with ratio = 1 + 3a.
        a = (self.case.mesh.grading - 1.0) / 3.0
        msh = self._rectangle(comm, max(2 * round(H / (2 * h * (1 + a))), 2))
        if a > 0.0:
            xi = 2.0 * msh.geometry.x[:, 1] / H - 1.0
            f = np.sign(xi) * (np.abs(xi) + a * np.abs(xi) ** 3) / (1.0 + a)
            msh.geometry.x[:, 1] = 0.5 * H * (1.0 + f)
        tol = 1e-9 * L
        bottom, top = self._sides(msh, tol)
        v = self.case.loading.wall_velocity

        def wall(sign: float):
            return lambda x, t: np.vstack([np.full(x.shape[1], sign * v * t), np.zeros(x.shape[1])])

        prescribed = (Prescribed(bottom, None, wall(-1.0)), Prescribed(top, None, wall(1.0)))
        periodic = (Periodicity(lambda x: np.isclose(x[0], L, atol=tol), (L, 0.0)),)
        return Setup(msh, {"bottom": bottom, "top": top}, prescribed, periodic, period=(L, None))

    def nominal_strain(self, t: float) -> float:
        _L, H = self._geometry
        return 2.0 * self.case.loading.wall_velocity * t / H

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        force = self._shear_force(solver, setup)
        return {"mean_stress_Pa": force / self._geometry[0], "wall_force_N_per_m": force}
