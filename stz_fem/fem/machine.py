"""A compliant testing machine in Newton's system: one extra free dof, the grip's displacement d.

The machine is a linear spring of stiffness k between its end, whose displacement u_m(t) is
prescribed, and the grip. The grip either holds a set of dofs, which all follow d through the
prolongation P (``Constraints.grip_index``), or carries the moving obstacles of a penalty
contact (indenter, loading rollers), whose travel is then d. The spring's energy
½k(u_m(t) − d)² adds k(d − u_m) to the grip dof's residual and k to its diagonal; a contact
grip's energy Π(u, d) also couples d to the displacement, so the reduced tangent PᵀJP is
bordered with the row and column ∂²Π/∂u∂d over the contact facets' free dofs and ∂²Π/∂d² on
the diagonal (docs/numerics.md).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem, la
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem.fem.constraints import Constraints, Prescribed
from stz_fem.fem.contact import PenaltyContact


@dataclass(frozen=True)
class Machine:
    """A linear spring between the machine's end, whose displacement ``displacement(t)`` (m;
    t in s) is prescribed, and the specimen's grip (docs/cases.md
    ``loading.machine_stiffness``).

    ``stiffness`` is in N/m per m of thickness in plane strain (Pa), N/m in 3-D; ``grip`` the
    dofs that the grip holds (they all follow one free dof, ``Constraints.grip_index``), or
    ``contact`` the penalty contact whose moving obstacles (indenter, loading rollers) the
    grip carries: their travel is then the grip dof d.
    """

    stiffness: float
    displacement: Callable[[float], float]
    grip: tuple[Prescribed, ...] = ()
    contact: PenaltyContact | None = None


def _diff_form(form: ufl.Form, variable) -> ufl.Form:
    """∂form/∂variable, integral by integral (UFL differentiates expressions, not forms)."""
    return ufl.Form([i.reconstruct(integrand=ufl.diff(i.integrand(), variable))
                     for i in form.integrals()])


class MachineCoupling:
    """The machine's terms in the residual and the reduced tangent of the free dofs, whose last
    entry on rank 0 is the grip dof d."""

    def __init__(self, machine: Machine, V: fem.FunctionSpace, constraints: Constraints) -> None:
        self.machine = machine
        self.V = V
        self.constraints = constraints
        self.comm = V.mesh.comm
        self.constant = fem.Constant(V.mesh, 0.0)
        """The grip's travel d (m) as the forms see it (a contact grip's obstacles move by it)."""
        self._forms: tuple[fem.Form, fem.Form, fem.Form] | None = None
        self._J0: PETSc.Mat | None = None

    def contact_terms(self, u: fem.Function, time: fem.Constant, v, du
                      ) -> tuple[ufl.Form, ufl.Form] | None:
        """The residual and tangent terms of a contact grip's energy Π(u, d) (None for a grip
        of dofs), and the forms ∂Π/∂d, ∂²Π/∂u∂d, ∂²Π/∂d² that couple d to u."""
        if self.machine.contact is None:
            return None
        depth = ufl.variable(self.constant)
        stored = self.machine.contact.energy(u, time, depth)
        residual = ufl.derivative(stored, u, v)
        first = _diff_form(stored, depth)
        self._forms = (fem.form(first), fem.form(ufl.derivative(first, u, v)),
                       fem.form(_diff_form(first, depth)))
        return residual, ufl.derivative(residual, u, du)

    def grip(self, x: PETSc.Vec) -> float:
        """The grip dof d (m) of the free-dof vector ``x`` (collective)."""
        local = float(x.getArray(readonly=True)[-1]) if self.comm.rank == 0 else 0.0
        return self.comm.bcast(local, root=0)

    def set_constant(self, x: PETSc.Vec) -> None:
        """The forms' grip travel ← the grip dof of ``x``, before any assembly (collective)."""
        self.constant.value = self.grip(x)

    def force(self, x: PETSc.Vec, time: float) -> float:
        """The spring's force k(u_m(t) − d) on the grip (N/m in 2-D, N in 3-D; collective)."""
        return self.machine.stiffness * (self.machine.displacement(time) - self.grip(x))

    def add_residual(self, f: PETSc.Vec, x: PETSc.Vec, time: float) -> None:
        """f's grip entry += ∂/∂d of ½k(u_m − d)² (+ ∂Π/∂d for a contact grip)."""
        force = -self.force(x, time)
        if self._forms is not None:
            force += self.comm.allreduce(fem.assemble_scalar(self._forms[0]), op=MPI.SUM)
        if self.comm.rank == 0:
            f.array[-1] += force

    def bordered(self, J: PETSc.Mat) -> PETSc.Mat:
        """The matrix Newton's tangent goes into: ``J`` (PᵀAP) itself for a grip of dofs; for
        a contact grip a copy with room for the grip dof's row and column over the free dofs
        of the contact facets, laid down once here (``J`` stays the PᵀAP product PETSc reuses)."""
        if self._forms is None:
            return J
        self._J0 = J
        bordered = J.duplicate(copy=True)
        bordered.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
        indicator = fem.Function(self.V)
        dofs = fem.locate_dofs_topological(self.V, self.V.mesh.topology.dim - 1,
                                           self.machine.contact.facets)
        indicator.x.array.reshape(-1, self.V.dofmap.index_map_bs)[dofs] = 1.0
        self._full = self.constraints.P.createVecLeft()
        self._full.array[:] = indicator.x.array[:self._full.getLocalSize()]
        self._free = self.constraints.create_free_vector()
        self.constraints.P.multTranspose(self._full, self._free)
        start = self._free.getOwnershipRange()[0]
        self._border = (start + np.flatnonzero(self._free.array)).astype(PETSc.IntType)
        self._insert(bordered, np.zeros(self._border.size), 0.0)
        return bordered

    def assemble_tangent(self, A: PETSc.Mat, J: PETSc.Mat) -> None:
        """J ← PᵀAP plus the spring's k on the grip dof's diagonal, and for a contact grip the
        border ∂²Π/∂u∂d and ∂²Π/∂d² (A: the assembled tangent of the full dofs)."""
        P = self.constraints.P
        if self._forms is None:
            A.PtAP(P, result=J)
            self._insert(J, np.zeros(0), self.machine.stiffness)
            return
        A.PtAP(P, result=self._J0)
        J.zeroEntries()
        J.axpy(1.0, self._J0, structure=PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN)
        coupling = fem.Function(self.V)
        fem.assemble_vector(coupling.x.array, self._forms[1])
        coupling.x.scatter_reverse(la.InsertMode.add)
        self._full.array[:] = coupling.x.array[:self._full.getLocalSize()]
        P.multTranspose(self._full, self._free)
        start = self._free.getOwnershipRange()[0]
        second = self.comm.allreduce(fem.assemble_scalar(self._forms[2]), op=MPI.SUM)
        self._insert(J, self._free.array[self._border - start], second + self.machine.stiffness)

    def _insert(self, J: PETSc.Mat, coupling: np.ndarray, diagonal: float) -> None:
        """J ← J + the grip's row and column ``coupling`` (at the border dofs) and
        ``diagonal`` on the grip dof's diagonal, then assemble (collective)."""
        index = self.constraints.grip_index
        add = PETSc.InsertMode.ADD
        if coupling.size:
            J.setValues(self._border, [index], coupling, addv=add)
            J.setValues([index], self._border, coupling, addv=add)
        if self.comm.rank == 0:
            J.setValue(index, index, diagonal, addv=add)
        J.assemble()

    def destroy(self) -> None:
        """Free the border's PETSc objects (collective, with the solver's)."""
        if self._J0 is not None:
            for obj in (self._J0, self._full, self._free):
                obj.destroy()
                self.comm.Barrier()
