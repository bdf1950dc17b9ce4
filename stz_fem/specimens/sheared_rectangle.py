"""What the shear strip and the periodic cell share: a plane-strain rectangle [0, L] × [0, H]
(``geometry.length``, ``geometry.height``) of crossed triangles, sheared along x through its
sides y = 0 and y = H, whose x-force on y = H gives the mean shear stress."""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from dolfinx import mesh as dmesh

from stz_fem.specimens.base import Setup, Specimen, reaction


class ShearedRectangle(Specimen):
    loading_axis = 0
    strain_label = "nominal shear strain γ"

    def domain_measure(self) -> float:
        return self.case.geometry.length * self.case.geometry.height

    @property
    def _geometry(self) -> tuple[float, float]:
        g = self.case.geometry
        return g.length, g.height

    def _rectangle(self, comm, ny: int):
        """The mesh: ``mesh.size`` along x, ``ny`` cells along y."""
        L, H = self._geometry
        return dmesh.create_rectangle(
            comm, [np.array([0.0, 0.0]), np.array([L, H])],
            [max(round(L / self.case.mesh.size), 1), ny],
            cell_type=dmesh.CellType.triangle, diagonal=dmesh.DiagonalType.crossed,
        )

    def _sides(self, msh, tol: float) -> tuple[np.ndarray, np.ndarray]:
        """The boundary facets on y = 0 and on y = H (within ``tol``, m)."""
        H = self._geometry[1]
        return tuple(dmesh.locate_entities_boundary(
            msh, 1, lambda x, y=y: np.isclose(x[1], y, atol=tol)) for y in (0.0, H))

    def _shear_force(self, solver, setup: Setup) -> float:
        """x-force (N/m) on the side y = H: the consistent nodal internal forces there sum to
        the force the rectangle transmits across it."""
        return reaction(solver, setup.facets["top"], 0)
