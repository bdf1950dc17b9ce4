"""One load step of the STZ-χ boundary-value problem: Newton (PETSc SNES) on the free dofs.

Weak form, with σ and its algorithmic tangent ℂ from the backward-Euler local update at each
quadrature point (Mandel notation, ``mandel_strain``):

    R(u; v) = ∫ σ(ε(u)) · ε(v) dx = 0,      J(u; du, v) = ∫ (ℂ ε(du)) · ε(v) dx.

The residual callback runs the local update, so the Jacobian that SNES asks for next uses the
tangent of the same iterate. Constraints (prescribed and periodic) enter through the
prolongation P: SNES sees PᵀR and PᵀJP (``constraints``). A compliant testing machine adds
one free dof, the grip's displacement, and its spring's terms (``stz_fem.fem.machine``).
The χ diffusion term is applied after the step converges (``chi_diffusion``); with ℓ_χ = 0
the step is exactly the local law.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import itertools
from collections.abc import Callable

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from dolfinx.mesh import Mesh
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem.errors import RunError
from stz_fem.fem.constraints import Constraints, Periodicity, Prescribed
from stz_fem.fem.contact import ContactPredictor, PenaltyContact
from stz_fem.fem.linear import (
    LINEAR_SOLVERS,
    PreconditionerReuse,
    choose,
    linear_options,
    plain_ksp,
    set_near_nullspace,
)
from stz_fem.fem.machine import Machine, MachineCoupling
from stz_fem.fem.material_state import MaterialState, advance
from stz_fem.fem.quadrature import QuadratureSpace, mandel_strain
from stz_fem.material import MaterialParameters, pack

_instances = itertools.count()

class CallbackError(RunError):
    """The local update raised inside a Newton callback on some rank (raised on all)."""


class MechanicsSolver:
    """Displacement (Lagrange degree 1 or 2) with STZ-χ state at quadrature points.

    ``chi0`` maps quadrature-point coordinates (n, gdim), m, to the initial χ (n,), K.
    ``contact``: rigid obstacles by penalty (``stz_fem.fem.contact``), whose stored energy
    Π(u, t) (J, per m of thickness in plane strain) adds its first and second variations to
    the residual and the tangent, and whose newly touching nodes each step's predictor puts
    onto the obstacles (``ContactPredictor``; ``contact_predictor = None`` turns that off).
    """

    def __init__(
        self, mesh: Mesh, params: MaterialParameters,
        chi0: Callable[[np.ndarray], np.ndarray], degree: int = 2,
        prescribed: tuple[Prescribed, ...] = (), periodic: tuple[Periodicity, ...] = (),
        petsc_options: dict[str, str | float | int] | None = None,
        linear_solver: str = "auto",
        contact: PenaltyContact | None = None,
        machine: Machine | None = None,
    ) -> None:
        if linear_solver not in LINEAR_SOLVERS:
            raise ValueError(f"linear_solver {linear_solver!r}: allowed: {LINEAR_SOLVERS}")
        self.mesh = mesh
        self.params = params
        self.constants = pack(params)
        gdim = mesh.geometry.dim
        self.V = fem.functionspace(mesh, ("Lagrange", degree, (gdim,)))
        dofs = self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs
        # "direct" or "iterative", and why (for the log: "auto" decides by dimension and size)
        self.linear_solver, self.linear_reason = choose(linear_solver, gdim, dofs)
        self.u = fem.Function(self.V, name="displacement")
        self.q = QuadratureSpace(mesh, max(2 * (degree - 1), 1))
        self.machine = machine
        self.constraints = Constraints(self.V, prescribed, periodic,
                                       machine.grip if machine is not None else None)
        self.coupling = (MachineCoupling(machine, self.V, self.constraints)
                         if machine is not None else None)
        # the grip's travel d (m) as the forms see it (a contact grip's obstacles move by it)
        self.grip_constant = self.coupling.constant if self.coupling is not None else None

        n = self.q.size
        self.points = self.q.point_coordinates()
        chi = np.asarray(chi0(self.points), dtype=float)
        self.state = MaterialState.initial(chi, oriented=params.eps_a > 0.0)
        self.trial = self.state.copy()
        self.stress = np.zeros((n, 6))
        self.tangent = np.zeros((n, 6, 6))
        self.rate = np.zeros(n)
        self.strain = np.zeros((n, 6))
        # temperature of each point, K (docs/model.md §3.1); empty: the bath temperature
        self.temperature = np.empty(0)

        self.sigma_q = self.q.function((6,))
        self.tangent_q = self.q.function((6, 6))
        v, du = ufl.TestFunction(self.V), ufl.TrialFunction(self.V)
        dx = self.q.dx
        residual = ufl.inner(self.sigma_q, mandel_strain(v)) * dx
        jacobian = ufl.inner(ufl.dot(self.tangent_q, mandel_strain(du)), mandel_strain(v)) * dx
        # time (s) of the iterate, for time-dependent energies such as a moving indenter
        self.time_constant = fem.Constant(mesh, 0.0)
        terms = (self.coupling.contact_terms(self.u, self.time_constant, v, du)
                 if self.coupling is not None else None)
        if terms is None and contact is not None:
            extra = ufl.derivative(contact.energy(self.u, self.time_constant), self.u, v)
            terms = (extra, ufl.derivative(extra, self.u, du))
        if terms is not None:
            residual += terms[0]
            jacobian += terms[1]
        self.residual_form = fem.form(residual)
        self.jacobian_form = fem.form(jacobian)
        self.strain_expr = self.q.expression(mandel_strain(self.u))
        self.contact_predictor = (ContactPredictor(contact, self.V) if contact is not None
                                  else None)

        self.time = 0.0
        self.dt = 1.0
        self.A = fem_petsc.create_matrix(self.jacobian_form)
        self.b = fem_petsc.create_vector(self.V)
        self.x = self.constraints.create_free_vector()
        self.x.set(0.0)
        self.x_committed = self.x.copy()
        self._last_increment = self.x.copy()
        self._last_dt = 0.0
        self._callback_error: str | None = None
        self._setup_snes(petsc_options or {})

    def _setup_snes(self, user_options: dict) -> None:
        comm = self.mesh.comm
        volume = comm.allreduce(self.q.cell_volume.sum(), op=MPI.SUM)
        dim = self.mesh.topology.dim
        force_scale = self.params.chi_stress_scale * volume ** ((dim - 1) / dim)
        prefix = f"stz{next(_instances)}_"
        options = {
            "snes_type": "newtonls", "snes_linesearch_type": "basic",
            "snes_rtol": 1e-10, "snes_atol": 1e-11 * force_scale, "snes_stol": 0.0,
            "snes_max_it": 15, "snes_error_if_not_converged": False,
            **linear_options(self.linear_solver, self.params),
            **user_options,
        }
        opts = PETSc.Options()
        for key, value in options.items():
            opts[prefix + key] = value
        self._elastic_tangent()
        self._assemble_jacobian()
        self.J = self.A.PtAP(self.constraints.P)
        if self.coupling is not None:
            self.J = self.coupling.bordered(self.J)
        self.f = self.constraints.create_free_vector()
        snes = PETSc.SNES().create(comm)
        snes.setOptionsPrefix(prefix)
        snes.setFunction(self._F, self.f)
        snes.setJacobian(self._J, self.J)
        self._reuse = PreconditionerReuse(self.J) if self.linear_solver == "iterative" else None
        if self._reuse is not None:
            snes.setJacobian(self._reuse.jacobian(self._J), self.J, self._reuse.P)
        snes.setFromOptions()
        self.snes = snes
        self._elastic_ksps: dict[str, PETSc.KSP] = {}
        self._modes: list[PETSc.Vec] = []
        if self.linear_solver == "iterative":
            self._modes = set_near_nullspace(self.V, self.constraints, self.J, self._reuse.P)

    def _elastic_tangent(self) -> None:
        G, K = self.params.G, self.params.K
        c = 2 * G * np.eye(6)
        c[:3, :3] += K - 2 * G / 3
        self.tangent[:] = c
        self.q.assign(self.tangent_q, self.tangent)

    def _assemble_jacobian(self) -> None:
        self.A.zeroEntries()
        fem_petsc.assemble_matrix(self.A, self.jacobian_form)
        self.A.assemble()

    def _F(self, snes: PETSc.SNES, x: PETSc.Vec, f: PETSc.Vec) -> None:
        self.constraints.prolong(x, self.time, self.u)
        self._set_grip(x)
        try:
            self.q.evaluate(self.strain_expr, out=self.strain)
            advance(self.constants, self.strain, self.state, self.dt, self.trial, self.stress,
                    self.rate, self.tangent, self.temperature)
        except Exception as err:
            # An error on this rank alone must not leave the other ranks waiting in the
            # assembly's collectives: note it, poison the residual (its norm, a global
            # reduction, is then NaN on every rank, so SNES stops everywhere) and go on.
            # (kept as text: the exception's traceback would hold this callback's PETSc
            # vectors alive on this rank only, and their collective destruction would then
            # pair with different objects on the other ranks)
            self._callback_error = self._callback_error or f"{type(err).__name__}: {err}"
            self.stress[:] = np.nan
        self.q.assign(self.sigma_q, self.stress)
        self.q.assign(self.tangent_q, self.tangent)
        self._assemble_residual(f, x)

    def _assemble_residual(self, f: PETSc.Vec, x: PETSc.Vec) -> None:
        """f ← PᵀR with the stress now in ``sigma_q`` (the full R stays in ``b``), plus the
        machine's spring force on the grip dof of the free dofs ``x``."""
        with self.b.localForm() as local:
            local.set(0.0)
        fem_petsc.assemble_vector(self.b, self.residual_form)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self.constraints.P.multTranspose(self.b, f)
        if self.coupling is not None:
            self.coupling.add_residual(f, x, self.time)

    def _set_grip(self, x: PETSc.Vec) -> None:
        """The grip constant ← the grip dof of ``x`` (collective), before any assembly."""
        if self.coupling is not None:
            self.coupling.set_constant(x)

    def machine_force(self) -> float | None:
        """The spring's force k(u_m(t) − u_grip) on the grip (N/m in 2-D, N in 3-D) at the
        current iterate, along the machine's displacement; None without a machine.
        Collective."""
        return self.coupling.force(self.x, self.time) if self.coupling is not None else None

    def grip_displacement(self) -> float | None:
        """The grip dof (m) of the current iterate; None without a machine. Collective."""
        return self.coupling.grip(self.x) if self.coupling is not None else None

    def _J(self, snes: PETSc.SNES, x: PETSc.Vec, J: PETSc.Mat, P: PETSc.Mat) -> None:
        self._assemble_jacobian()
        if self.coupling is not None:
            self.coupling.assemble_tangent(self.A, J)
        else:
            self.A.PtAP(self.constraints.P, result=J)

    def solve_step(self, time: float, dt: float) -> tuple[bool, int]:
        """Solve for the state at ``time`` after a step ``dt`` (s). Returns (converged, its).

        The committed state is untouched; call ``commit`` to accept the step.
        """
        self.time, self.dt = time, dt
        self.time_constant.value = time
        self.x_committed.copy(self.x)
        if self._last_dt > 0.0:
            # secant predictor from the last two committed steps: the free dofs move smoothly
            self.x.axpy(dt / self._last_dt, self._last_increment)
            if self.contact_predictor is not None:
                self.contact_predictor.predict(self.x, self.x_committed, time - dt, time,
                                               self.constraints, self._obstacle_travel)
        else:
            self._elastic_predictor()
        if self._reuse is not None:
            self._reuse.solve(self.snes, self.x)
        else:
            self.snes.solve(None, self.x)
        self._raise_callback_error()
        reason = self.snes.getConvergedReason()
        iterations = self.snes.getIterationNumber()
        if reason <= 0:
            self.x_committed.copy(self.x)
            # A failed MUMPS factorization (e.g. out of workspace on a wild iterate's tangent)
            # makes PETSc skip every later numeric factorization: start the next one afresh.
            self.snes.getKSP().getPC().reset()
            return False, iterations
        self.trial.accumulated[:] = self.state.accumulated + 2.0 * self.rate * dt
        return True, iterations

    def _obstacle_travel(self, x: PETSc.Vec) -> float | None:
        """The moving obstacles' travel (m) in the free dofs ``x`` when a machine's grip
        carries them; None when they travel v·t (collective)."""
        if self.machine is None or self.machine.contact is None:
            return None
        return self.coupling.grip(x)

    def _raise_callback_error(self) -> None:
        """Raise ``CallbackError`` on every rank if the residual failed on any (collective)."""
        comm = self.mesh.comm
        reports = comm.allgather(self._callback_error)
        self._callback_error = None
        failed = [(rank, text) for rank, text in enumerate(reports) if text is not None]
        if failed:
            rank, text = failed[0]
            raise CallbackError(f"the local update failed on rank {rank} at t = {self.time:.6g} "
                                f"s (dt = {self.dt:.3g} s): {text}")

    def _elastic_predictor(self) -> None:
        """One Newton iteration with the elastic law, for a step with no previous one to
        extrapolate: the jump of the prescribed boundary values then spreads through the body
        as an elastic field, where Newton's first iterate would strain the boundary's elements
        alone (by g/h, a wild state on fine meshes that fails the step)."""
        self.constraints.prolong(self.x, self.time, self.u)
        self._set_grip(self.x)
        self.q.evaluate(self.strain_expr, out=self.strain)
        self._elastic_tangent()
        elastic = self.tangent[0]
        self.q.assign(self.sigma_q, (self.strain - self.state.plastic_strain) @ elastic)
        self._assemble_residual(self.f, self.x)
        self._J(self.snes, self.x, self.J, self.J)
        ksp = self.snes.getKSP()
        ksp.setOperators(self.J)
        correction = self.f.duplicate()
        ksp.solve(self.f, correction)
        if ksp.getConvergedReason() > 0:
            self.x.axpy(-1.0, correction)
        correction.destroy()

    def commit(self) -> None:
        """Accept the last solved step."""
        self.state, self.trial = self.trial, self.state
        self.x.copy(self._last_increment)
        self._last_increment.axpy(-1.0, self.x_committed)
        self.x.copy(self.x_committed)
        self._last_dt = self.dt

    def last_increment(self) -> fem.Function:
        """The last committed displacement increment (without boundary offsets), which the
        secant predictor extrapolates; with ``last_dt`` it is what a restart needs besides u
        and the state."""
        increment = fem.Function(self.V)
        self.constraints.prolong(self._last_increment, None, increment)
        return increment

    @property
    def last_dt(self) -> float:
        return self._last_dt

    def restore(self, time: float, increment: fem.Function, last_dt: float,
                grip: tuple[float, float] | None = None) -> None:
        """Rebuild the committed free dofs and the predictor after u (at ``time``, s), the
        state, stress and rate have been loaded (see ``stz_fem.fem.checkpoint``); ``grip`` is
        ``grip_state`` of the run that wrote the checkpoint (a machine's grip dof, which u
        alone does not hold for a contact grip)."""
        self.constraints.restrict(self.u, time, self.x_committed)
        self.constraints.restrict(increment, None, self._last_increment)
        if grip is not None and self.machine is not None and self.mesh.comm.rank == 0:
            self.x_committed.array[-1], self._last_increment.array[-1] = grip
        # load measures of the restored state (contact, the grip's travel) read the iterate,
        # the time and the grip constant: make them those of the committed state
        self.x_committed.copy(self.x)
        self._set_grip(self.x)
        self.time = time
        self.time_constant.value = time
        self._last_dt = last_dt
        self.trial = self.state.copy()

    def grip_state(self) -> tuple[float, float] | None:
        """The machine's committed grip dof and its last increment (m), for a checkpoint;
        None without a machine. Collective."""
        if self.machine is None:
            return None
        comm = self.mesh.comm
        local = ((float(self.x_committed.array[-1]), float(self._last_increment.array[-1]))
                 if comm.rank == 0 else None)
        return comm.bcast(local, root=0)

    def destroy(self) -> None:
        """Free the PETSc objects (collective). The SNES callbacks make reference cycles, so
        leaving this to the garbage collector would destroy parallel objects at different
        moments on different ranks and deadlock."""
        comm = self.mesh.comm
        reuse = (self._reuse,) if self._reuse is not None else ()
        for obj in (self.snes, *self._elastic_ksps.values(), *reuse, self.J, self.A, self.b,
                    self.f, self.x, self.x_committed, self._last_increment, *self._modes):
            obj.destroy()
            # MUMPS instances share one communicator and their termination does not make
            # every rank wait: a rank that runs ahead into the next instance's termination
            # mixes the messages of the two, which hung CI. Keep the ranks in step.
            comm.Barrier()
        if self.coupling is not None:
            self.coupling.destroy()
        self.constraints.destroy()

    @property
    def preconditioner_builds(self) -> int | None:
        """How often the Newton loop's preconditioner was built (None: rebuilt at every Newton
        iteration, as for MUMPS)."""
        return self._reuse.rebuilds if self._reuse is not None else None

    def elastic_solve(self, linear: str | None = None) -> int:
        """One linear solve with the elastic tangent done the way a Newton iteration does one
        (the unit of ``benchmarks/fem_step.py``): assembly into the solver's matrix, PᵀAP
        into its reduced one, a fresh numeric setup of the preconditioner (MUMPS keeps its
        symbolic analysis, GAMG its interpolation) and the solve of a unit load. ``linear``:
        "direct" or "iterative" (default: the Newton loop's own); each keeps its KSP over
        calls, so repeated calls are warm. Before a run only: it leaves the elastic tangent
        in the matrices. Returns the Krylov iterations (collective)."""
        linear = linear or self.linear_solver
        if linear not in ("direct", "iterative"):
            raise ValueError(f"linear {linear!r}: 'direct' or 'iterative'")
        self._elastic_tangent()
        self._J(self.snes, self.x, self.J, self.J)
        if linear == "iterative" and not self._modes:
            self._modes = set_near_nullspace(self.V, self.constraints, self.J)
        ksp = self._elastic_ksps.get(linear)
        if ksp is None:
            ksp = self._elastic_ksps[linear] = plain_ksp(self.mesh.comm, linear)
        ksp.setOperators(self.J)
        rhs, x = self.J.createVecs()
        rhs.set(1.0)
        ksp.solve(rhs, x)
        iterations = ksp.getIterationNumber()
        rhs.destroy()
        x.destroy()
        return iterations

    def internal_force(self) -> np.ndarray:
        """Owned entries of the assembled internal force vector at the last iterate, N (per m
        of thickness in plane strain)."""
        n = self.V.dofmap.index_map.size_local * self.V.dofmap.index_map_bs
        return self.b.getArray(readonly=True)[:n]

    def global_max(self, values: np.ndarray) -> float:
        local = float(values.max()) if values.size else -np.inf
        return self.mesh.comm.allreduce(local, op=MPI.MAX)
