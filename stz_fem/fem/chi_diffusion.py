"""The diffusion term ∇·(ℓ_χ² D ∇χ) of the χ equation (docs/model.md §3), as a step correction.

After the mechanical step has updated χ locally (χ* at quadrature points, plastic-work source
and relaxation included), χ diffuses over the step with the end-of-step plastic rate D:

    c₀(χ − χ*)/Δt = ∇·(ℓ_χ² D ∇χ),     zero flux on free boundaries.

χ* splits into its projection onto continuous P1, χ̂, and the sub-element remainder χ* − χ̂
that P1 cannot represent. The resolved part diffuses by the correction δ = χ − χ̂ from

    ∫ c₀ δ w + Δt ℓ_χ² D ∇δ·∇w dx = −Δt ∫ ℓ_χ² D ∇χ̂·∇w dx.

The remainder varies on the element scale h, where diffusion acts fastest: it decays like the
shortest resolved Fourier mode, by exp(−(ℓ_χ² D/c₀)(π/h)² Δt) at each point. Without this the
remainder never diffuses, and χ and the plastic strain can localize within one element row
whatever ℓ_χ is. The result is limited to the range of χ* (the maximum principle of diffusion).
Where D = 0, or with ℓ_χ = 0, χ stays exactly the local value.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import math

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI

from stz_fem.fem.constraints import Constraints, Periodicity
from stz_fem.fem.free_system import FreeSystem
from stz_fem.fem.linear import plain_ksp
from stz_fem.fem.quadrature import QuadratureSpace


class ChiDiffusion:
    """Applies the χ diffusion correction on a quadrature space (ℓ_χ > 0 only)."""

    def __init__(
        self, q: QuadratureSpace, c0: float, l_chi: float, periodic: tuple[Periodicity, ...] = ()
    ) -> None:
        self.q = q
        mesh = q.mesh
        V = fem.functionspace(mesh, ("Lagrange", 1))
        constraints = Constraints(V, periodic=tuple(
            Periodicity(p.is_image, p.shift) for p in periodic
        ))
        self.chi_star = q.function()
        self.rate = q.function()
        self.dt = fem.Constant(mesh, 0.0)
        self.chi_hat = fem.Function(V)
        self.delta = fem.Function(V)
        chi, w = ufl.TrialFunction(V), ufl.TestFunction(V)
        dx = q.dx
        # material numbers as Constants: another c0 or l_chi reuses the compiled forms
        c0_, l2 = fem.Constant(mesh, float(c0)), fem.Constant(mesh, float(l_chi) ** 2)
        flux = l2 * self.rate
        mass = fem.form(c0_ * chi * w * dx)
        self.project_rhs = fem.form(c0_ * self.chi_star * w * dx)
        self.lhs = fem.form(c0_ * chi * w * dx + self.dt * flux * ufl.inner(
            ufl.grad(chi), ufl.grad(w)) * dx)
        self.rhs = fem.form(-self.dt * flux * ufl.inner(ufl.grad(self.chi_hat), ufl.grad(w)) * dx)
        self.delta_expr = q.expression(self.delta)
        self.chi_hat_expr = q.expression(self.chi_hat)
        self.c0, self.l_chi = c0, l_chi
        self.clipped_K = 0.0
        """Largest change (K) the last ``apply`` made by keeping χ within its previous range."""
        # shortest resolved wavenumber² per point, (π/h)², h the leg of a right simplex of the
        # cell's size (h = (d!·|cell|)^(1/d))
        dim = mesh.topology.dim
        h = (math.factorial(dim) * q.cell_volume) ** (1.0 / dim)
        self.k2 = np.repeat((np.pi / h) ** 2, q.n_qp)

        M = fem_petsc.assemble_matrix(mass)
        M.assemble()
        self.mass_solver = plain_ksp(mesh.comm, "direct", "stzchimass_")
        self.mass_solver.setOperators(M.PtAP(constraints.P))
        M.destroy()  # only the reduced mass matrix is kept (by the solver)
        self.system = FreeSystem(constraints, self.lhs)
        self.solver = plain_ksp(mesh.comm, "direct", "stzchidiff_")

    def destroy(self) -> None:
        """Free the PETSc objects (collective)."""
        comm = self.q.mesh.comm
        for obj in (self.mass_solver, self.solver):
            obj.destroy()
            comm.Barrier()  # see MechanicsSolver.destroy
        self.system.destroy()

    def apply(self, chi: np.ndarray, rate: np.ndarray, dt: float) -> None:
        """Add the diffusion correction to χ (K, at the points) in place; D in 1/s, Δt in s."""
        self.q.assign(self.chi_star, chi)
        self.q.assign(self.rate, rate)
        self.dt.value = dt
        self.system.solve(self.mass_solver, self.project_rhs, self.chi_hat)
        self.solver.setOperators(self.system.operator(self.lhs))
        self.system.solve(self.solver, self.rhs, self.delta)
        comm = self.q.mesh.comm
        lo = comm.allreduce(float(chi.min()) if chi.size else np.inf, op=MPI.MIN)
        hi = comm.allreduce(float(chi.max()) if chi.size else -np.inf, op=MPI.MAX)
        remainder = chi - self.q.evaluate(self.chi_hat_expr)
        decay = np.exp(-(self.l_chi**2 / self.c0) * rate * self.k2 * dt)
        chi += self.q.evaluate(self.delta_expr) - (1.0 - decay) * remainder
        # Diffusion obeys a maximum principle, but δ is a P1 field added to point values: at
        # the edge of a band whose points sit at χ∞, the smoothed χ̂ is convex and δ > 0 would
        # lift χ above χ∞. Keep χ within the range it had, and record how much that took
        # (tests bound it: the clip must only trim the P1 overshoot, not shape the solution).
        clipped = np.clip(chi, lo, hi)
        local = float(np.abs(chi - clipped).max()) if chi.size else 0.0
        self.clipped_K = comm.allreduce(local, op=MPI.MAX)
        chi[:] = clipped
