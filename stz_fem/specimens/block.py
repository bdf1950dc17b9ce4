"""A homogeneously loaded unit block (verification): plane-strain square or 3-D cube.

``simple-shear`` prescribes the affine displacement u = γ(t)·y·e_x on the whole boundary;
``uniaxial-tension`` pulls the face x = 1 with symmetry conditions on x = 0, y = 0 (and z = 0)
and the other faces free, so the state is homogeneous uniaxial stress (with ε₃₃ = 0 in plane
strain). Both must reproduce the material-point driver exactly.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from typing import Literal

import numpy as np
from dolfinx import mesh as dmesh
from mpi4py import MPI
from pydantic import Field

from stz_fem.cases import Section
from stz_fem.fem.constraints import Prescribed
from stz_fem.specimens.base import Setup, Specimen, reaction


class HomogeneousBlock(Specimen):
    name = "block"

    class Geometry(Section):
        dimension: int = Field(2, ge=2, le=3)  # not Literal[2, 3]: it would take true

    class Loading(Section):
        kind: Literal["simple-shear", "uniaxial-tension"] = "simple-shear"
        rate: float = Field(1e-3, gt=0.0, description="1/s")
        end_strain: float = Field(0.05, gt=0.0, description="nominal strain")

    def __init__(self, case) -> None:
        super().__init__(case)
        self.gdim = case.geometry.dimension

    def domain_measure(self) -> float:
        return 1.0  # the unit square or cube

    def build(self, comm: MPI.Comm) -> Setup:
        dim = self.case.geometry.dimension
        n = max(round(1.0 / self.case.mesh.size), 1)
        if dim == 2:
            msh = dmesh.create_unit_square(comm, n, n)
        else:
            msh = dmesh.create_unit_cube(comm, n, n, n)
        fdim = dim - 1
        rate = self.case.loading.rate

        def side(axis: int, value: float) -> np.ndarray:
            return dmesh.locate_entities_boundary(
                msh, fdim, lambda x: np.isclose(x[axis], value)
            )

        if self.case.loading.kind == "simple-shear":
            everywhere = dmesh.locate_entities_boundary(
                msh, fdim, lambda x: np.full(x.shape[1], True)
            )

            def affine(x, t):
                u = np.zeros((dim, x.shape[1]))
                u[0] = rate * t * x[1]
                return u

            prescribed = (Prescribed(everywhere, None, affine),)
            return Setup(msh, {"top": side(1, 1.0)}, prescribed)
        pull = Prescribed(side(0, 1.0), 0, lambda x, t: np.full(x.shape[1], rate * t))
        prescribed = (*(Prescribed(side(a, 0.0), a) for a in range(dim)), pull)
        return Setup(msh, {"pulled": side(0, 1.0)}, prescribed)

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.rate * t

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        if self.case.loading.kind == "simple-shear":
            force = reaction(solver, setup.facets["top"], 0)
        else:
            force = reaction(solver, setup.facets["pulled"], 0)
        return {"mean_stress_Pa": force}
