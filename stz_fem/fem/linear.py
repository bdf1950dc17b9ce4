"""The linear solver of the Newton steps: which one ("auto"), and when to rebuild its
preconditioner.

``choose`` resolves ``solver.linear = "auto"``: MUMPS LU in 2-D and for small 3-D meshes, CG
with smoothed-aggregation AMG (GAMG, rigid-body near nullspace) in 3-D from
``ITERATIVE_FROM_DOFS_3D`` dofs on, where LU's fill-in makes a factorization cost more than
the Krylov iterations (measured with ``benchmarks/fem_step.py --3d``; docs/numerics.md).

``PreconditionerReuse`` keeps an AMG preconditioner across Newton iterations and load steps
while the tangent changes little (the effect of PETSc's persistent SNES lag): CG then
solves each Newton system with the current tangent to the same tolerance, so Newton's
convergence is untouched and only the Krylov iterations grow. The preconditioner is rebuilt
at the next Newton iteration when a step's mean iterations per linear solve exceed
``growth`` × those right after the last rebuild, or after a failed step.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import itertools
from typing import TYPE_CHECKING

import numpy as np
from dolfinx import fem
from petsc4py import PETSc

from stz_fem.fem.constraints import Constraints

if TYPE_CHECKING:
    from stz_fem.material import MaterialParameters

_instances = itertools.count()

LINEAR_SOLVERS = ("auto", "direct", "iterative")
_LINEAR_OPTIONS: dict[str, dict[str, str | float]] = {
    # MUMPS LU: robust for any tangent; the default.
    "direct": {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"},
    # CG + smoothed-aggregation AMG with the rigid-body near nullspace: memory that grows
    # linearly, for large 3-D runs. The tangent is symmetric positive definite while the
    # material hardens or flows (not in a softening branch: then the step is cut back) and the
    # flow is deviatoric and pressure-insensitive (α = β = 0); otherwise it is not symmetric
    # and ``linear_options`` swaps CG for GMRES.
    "iterative": {"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-10, "ksp_max_it": 1000,
                  "pc_gamg_threshold": 0.01, "mg_levels_ksp_type": "chebyshev",
                  "mg_levels_pc_type": "jacobi", "pc_gamg_reuse_interpolation": True},
}


# Inexact Newton for the iterative solver (Eisenstat & Walker, SIAM J. Sci. Comput. 17, 16,
# 1996; PETSc's SNESKSPSetUseEW, choice 2): each Newton system is solved only to the relative
# tolerance η_k = (‖F_k‖/‖F_k−1‖)^φ (φ the golden ratio), capped at 1e-2, rather than to 1e-10.
# Early iterations, whose correction the next one overwrites anyway, then cost a few Krylov
# iterations; η_k falls as the residual does, so the last iterations are solved accurately
# and Newton still converges superlinearly to the same residual tolerance (the step's answer
# is unchanged). The cap keeps the iteration count near exact Newton's (docs/numerics.md).
_INEXACT_NEWTON: dict[str, str | float] = {
    "snes_ksp_ew": True, "snes_ksp_ew_rtol0": 1e-2, "snes_ksp_ew_rtolmax": 1e-2}


def linear_options(linear_solver: str, params: MaterialParameters) -> dict[str, str | float]:
    """PETSc options of the linear solver for this material (docs/numerics.md, "Linear solvers").

    The consistent tangent is symmetric only for α = β = 0 without the orientation lag: a
    pressure-sensitive rate (α) or a dilatant flow (β) makes it non-symmetric (non-associated
    flow, and the χ coupling with the pressure even when β = α), and so does an orientation M
    not parallel to the stress (docs/model.md §2.4: the flow leaves the stress direction).
    MUMPS LU takes any matrix; the iterative option (inexact Newton, ``_INEXACT_NEWTON``) then
    runs restarted GMRES (right-preconditioned by the same AMG, Chebyshev smoothers as for CG)
    instead of CG, which needs a symmetric operator.
    """
    options = dict(_LINEAR_OPTIONS[linear_solver])
    if linear_solver == "iterative":
        options.update(_INEXACT_NEWTON)
    if linear_solver == "iterative" and (params.alpha != 0.0 or params.beta != 0.0
                                         or params.eps_a != 0.0):
        options.update({"ksp_type": "gmres", "ksp_gmres_restart": 100, "ksp_pc_side": "right"})
    return options


def plain_ksp(comm, linear: str, prefix: str | None = None) -> PETSc.KSP:
    """A KSP with the ``linear`` solver's plain options ("direct": MUMPS LU, or "iterative")
    under ``prefix`` (default: a new one of its own): the elastic solves of
    ``MechanicsSolver.elastic_solve`` and the P1 field solves (χ diffusion, heat)."""
    prefix = prefix or f"stz_elastic{next(_instances)}_"
    opts = PETSc.Options()
    for key, value in _LINEAR_OPTIONS[linear].items():
        opts[prefix + key] = value
    ksp = PETSc.KSP().create(comm)
    ksp.setOptionsPrefix(prefix)
    ksp.setFromOptions()
    return ksp


ITERATIVE_FROM_DOFS_3D = 8_000
"""Global dofs of a 3-D mesh from which "auto" takes CG + GAMG rather than MUMPS
(docs/numerics.md, "Linear solvers": the crossover of the cost per increment)."""


def choose(linear: str, gdim: int, dofs: int) -> tuple[str, str]:
    """(solver, reason): the linear solver ("direct" or "iterative") that ``linear`` names
    on a ``gdim``-D mesh of ``dofs`` global dofs, and why, for the log."""
    if linear != "auto":
        return linear, f"solver.linear = {linear!r}"
    if gdim == 3 and dofs >= ITERATIVE_FROM_DOFS_3D:
        return "iterative", (f"auto: 3-D with {dofs} dofs ≥ {ITERATIVE_FROM_DOFS_3D}, CG + "
                             "GAMG (rigid-body modes), preconditioner reused while it lasts")
    return "direct", (f"auto: {gdim}-D with {dofs} dofs"
                      + (f" < {ITERATIVE_FROM_DOFS_3D}" if gdim == 3 else "") + ", MUMPS LU")


class PreconditionerReuse:
    """Keeps the Newton loop's preconditioner while the Krylov iterations say it is good.

    The preconditioner is built from its own matrix ``P``, a copy of the tangent taken at a
    rebuild; PETSc sets a preconditioner up again only when that matrix changes, so between
    rebuilds every Newton iteration of every step reuses it (CG still iterates with the
    current tangent). The copy costs one more matrix; petsc4py here has no SNES lag calls.
    """

    def __init__(self, J: PETSc.Mat, growth: float = 2.0, min_iterations: int = 10) -> None:
        self.P = J.duplicate(copy=True)
        self.growth = growth
        self.min_iterations = min_iterations
        self.reference: float | None = None  # Krylov its per linear solve after a rebuild
        self.rebuilds = 0
        self.built_in_solve = False  # whether the running solve built the preconditioner
        self._pending = True

    def jacobian(self, assemble):
        """The SNES Jacobian callback (for ``snes.setJacobian(cb, J, self.P)``): ``assemble``
        (the solver's, into J) and, when a rebuild is due, the copy of J into P."""

        def callback(snes: PETSc.SNES, x: PETSc.Vec, J: PETSc.Mat, P: PETSc.Mat) -> None:
            assemble(snes, x, J, J)
            # another preconditioning matrix in the KSP (the elastic predictor's) means the
            # preconditioner it holds is not built from P: rebuild
            current = snes.getKSP().getOperators()[1]
            if self._pending or current.handle != P.handle:
                J.copy(P, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
                self._pending = False
                self.built_in_solve = True
                self.rebuilds += 1

        return callback

    def rebuild(self) -> None:
        """Rebuild at the next Newton iteration."""
        self._pending = True

    def solve(self, snes: PETSc.SNES, x: PETSc.Vec) -> None:
        """``snes.solve`` from ``x``; when a reused preconditioner fails a linear solve (CG
        stops at once on an indefinite one when the tangent has moved away from it, e.g. as
        the contact spreads over new nodes with its penalty stiffness), once more from the
        same start with a fresh one, rather than failing the step."""
        start = x.copy()
        self.built_in_solve = False
        snes.solve(None, x)
        if (snes.getConvergedReason() == PETSc.SNES.ConvergedReason.DIVERGED_LINEAR_SOLVE
                and not self.built_in_solve):
            self.rebuild()
            start.copy(x)
            snes.solve(None, x)
        start.destroy()
        self.after_solve(snes, snes.getConvergedReason() > 0)

    def after_solve(self, snes: PETSc.SNES, converged: bool) -> None:
        """Judge the preconditioner by the solve just done (its Krylov iterations)."""
        per_solve = (max(snes.getLinearSolveIterations(), 0)
                     / max(snes.getIterationNumber(), 1))
        if self.built_in_solve:
            self.reference = max(per_solve, 1.0)
        if not converged or (self.reference is not None and per_solve > max(
                self.growth * self.reference, self.min_iterations)):
            self.rebuild()

    def destroy(self) -> None:
        self.P.destroy()


def rigid_body_modes(V: fem.FunctionSpace, constraints: Constraints) -> list[PETSc.Vec]:
    """Translations and rotations of ``V``'s mesh restricted to the free dofs, orthonormalized:
    the near nullspace that lets GAMG build elasticity coarse spaces (modes the constraints
    remove are dropped)."""
    gdim = V.mesh.geometry.dim
    rotations = [(0, 1)] if gdim == 2 else [(0, 1), (1, 2), (2, 0)]
    modes = []
    for k in range(gdim + len(rotations)):
        f = fem.Function(V)
        if k < gdim:
            f.interpolate(lambda x, k=k: np.eye(gdim)[k][:, None] * np.ones(x.shape[1]))
        else:
            i, j = rotations[k - gdim]

            def rotation(x, i=i, j=j):
                values = np.zeros((gdim, x.shape[1]))
                values[i], values[j] = -x[j], x[i]
                return values

            f.interpolate(rotation)
        vec = constraints.create_free_vector()
        constraints.restrict(f, None, vec)
        for other in modes:
            vec.axpy(-vec.dot(other), other)
        norm = vec.norm()
        if norm > 1e-12 * np.sqrt(vec.getSize()):
            vec.scale(1.0 / norm)
            modes.append(vec)
    return modes


def set_near_nullspace(V: fem.FunctionSpace, constraints: Constraints,
                       *matrices: PETSc.Mat) -> list[PETSc.Vec]:
    """Attach ``V``'s rigid-body modes on the free dofs to ``matrices`` as the near nullspace
    GAMG builds its coarse spaces from; returns the modes (the caller destroys them)."""
    modes = rigid_body_modes(V, constraints)
    nullspace = PETSc.NullSpace().create(vectors=modes, comm=V.mesh.comm)
    for matrix in matrices:
        matrix.setNearNullSpace(nullspace)
    nullspace.destroy()
    return modes
