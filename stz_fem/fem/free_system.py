"""Linear systems of a P1 scalar field on its free dofs, for the corrections applied after a
converged mechanical step (χ diffusion, heat conduction).

A field T = P x + g (``constraints``: prescribed values g, periodic images) solves a linear
problem a(T, w) = L(w) by the reduced system PᵀAP x = Pᵀb, which PETSc forms in parallel;
MUMPS LU solves it (the fields are small next to the displacement).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

from stz_fem.fem.constraints import Constraints


class FreeSystem:
    """Right-hand side, reduced matrix and solution vectors of one constrained P1 space."""

    def __init__(self, constraints: Constraints, matrix_form: fem.Form) -> None:
        self.constraints = constraints
        self.A = fem_petsc.create_matrix(matrix_form)
        self.b = fem_petsc.create_vector(constraints.V)
        self.x = constraints.create_free_vector()
        self.rhs_free = constraints.create_free_vector()
        self.reduced: PETSc.Mat | None = None

    def operator(self, form: fem.Form) -> PETSc.Mat:
        """PᵀAP of the bilinear ``form`` (with the matrix pattern of the constructor's form),
        reusing the storage of the last one."""
        self.A.zeroEntries()
        fem_petsc.assemble_matrix(self.A, form)
        self.A.assemble()
        self.reduced = self.A.PtAP(self.constraints.P, result=self.reduced)
        return self.reduced

    def solve(self, ksp: PETSc.KSP, form: fem.Form, out: fem.Function) -> None:
        """out ← P x with (PᵀAP) x = Pᵀb(``form``), the operator being ``ksp``'s."""
        with self.b.localForm() as local:
            local.set(0.0)
        fem_petsc.assemble_vector(self.b, form)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self.constraints.P.multTranspose(self.b, self.rhs_free)
        ksp.solve(self.rhs_free, self.x)
        self.constraints.prolong(self.x, None, out)

    def destroy(self) -> None:
        """Free the PETSc objects (collective), the constraints' included."""
        comm = self.constraints.V.mesh.comm
        for obj in (self.A, self.b, self.x, self.rhs_free,
                    *([self.reduced] if self.reduced is not None else [])):
            obj.destroy()
            comm.Barrier()  # see MechanicsSolver.destroy
        self.constraints.destroy()
