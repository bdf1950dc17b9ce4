"""Material state at quadrature points: layout, strain evaluation and cell averages.

Quadrature data (stress, tangent, plastic strain, χ) lives in numpy arrays ordered
(owned cell, quadrature point); ``QuadratureSpace`` moves it in and out of DOLFINx quadrature
functions for assembly, evaluates Mandel strains of a displacement there, and averages it per
cell (DG0) for output. The quadrature degree is pinned in the measure ``dx``.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import basix
import basix.ufl
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.mesh import Mesh

SQRT2 = np.sqrt(2.0)


def mandel_strain(u: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
    """sym ∇u as a Mandel 6-vector (ε₃₃ = ε₁₃ = ε₂₃ = 0 in plane strain)."""
    e = ufl.sym(ufl.grad(u))
    s = SQRT2
    if e.ufl_shape == (2, 2):
        return ufl.as_vector([e[0, 0], e[1, 1], 0.0, 0.0, 0.0, s * e[0, 1]])
    return ufl.as_vector([e[0, 0], e[1, 1], e[2, 2], s * e[1, 2], s * e[0, 2], s * e[0, 1]])


class QuadratureSpace:
    """Quadrature points of degree ``degree`` on the owned cells of a mesh."""

    def __init__(self, mesh: Mesh, degree: int) -> None:
        self.mesh = mesh
        self.degree = degree
        cell = mesh.basix_cell()
        self.points, self.weights = basix.make_quadrature(cell, degree)
        self.n_qp = len(self.weights)
        tdim = mesh.topology.dim
        self.n_cells = mesh.topology.index_map(tdim).size_local
        self.cells = np.arange(self.n_cells, dtype=np.int32)
        self.size = self.n_cells * self.n_qp
        self.dx = ufl.Measure(
            "dx", domain=mesh,
            metadata={"quadrature_degree": degree, "quadrature_scheme": "default"},
        )
        self._spaces: dict[tuple[int, ...], tuple[fem.FunctionSpace, np.ndarray]] = {}
        self.cell_volume = self._cell_volumes()

    def function(self, shape: tuple[int, ...] = ()) -> fem.Function:
        """A quadrature function of the given value shape."""
        return fem.Function(self._space(shape)[0])

    def _space(self, shape: tuple[int, ...]) -> tuple[fem.FunctionSpace, np.ndarray]:
        if shape not in self._spaces:
            element = basix.ufl.quadrature_element(
                self.mesh.basix_cell(), value_shape=shape, degree=self.degree, scheme="default"
            )
            V = fem.functionspace(self.mesh, element)
            dofs = V.dofmap.list[: self.n_cells].ravel()
            self._spaces[shape] = (V, dofs)
        return self._spaces[shape]

    def assign(self, f: fem.Function, values: np.ndarray) -> None:
        """Write (size, *shape) values, ordered (cell, point), into a quadrature function."""
        _V, dofs = self._space(f.ufl_shape)
        width = int(np.prod(f.ufl_shape, dtype=int))
        f.x.array.reshape(-1, width)[dofs] = values.reshape(self.size, width)

    def expression(self, expr: ufl.core.expr.Expr) -> fem.Expression:
        """A compiled expression evaluated at these quadrature points."""
        return fem.Expression(expr, self.points)

    def evaluate(self, expr: fem.Expression, out: np.ndarray | None = None) -> np.ndarray:
        """Values of an expression at all points, (size, *value_shape)."""
        values = expr.eval(self.mesh, self.cells)
        shaped = values.reshape(self.size, *values.shape[2:])
        if out is None:
            return shaped
        out[...] = shaped
        return out

    def _cell_volumes(self) -> np.ndarray:
        one = fem.Constant(self.mesh, 1.0)
        expr = self.expression(one * abs(ufl.JacobianDeterminant(self.mesh)))
        detj = expr.eval(self.mesh, self.cells).reshape(self.n_cells, self.n_qp)
        self._point_weight = detj * self.weights
        return self._point_weight.sum(axis=1)

    def cell_average(self, values: np.ndarray) -> np.ndarray:
        """Volume-weighted average per owned cell of point values (size, ...) → (n_cells, ...)."""
        v = values.reshape(self.n_cells, self.n_qp, -1)
        avg = np.einsum("cq,cqk->ck", self._point_weight, v) / self.cell_volume[:, None]
        return avg.reshape(self.n_cells, *values.shape[1:])

    def point_coordinates(self) -> np.ndarray:
        """Physical coordinates of the points, (size, gdim), m."""
        x = ufl.SpatialCoordinate(self.mesh)
        return self.evaluate(self.expression(x))
