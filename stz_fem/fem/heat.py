"""The temperature field (docs/model.md §3.1), applied after each converged mechanical step.

Plastic work heats the material, ρc Ṫ = ∇·(k∇T) + ζ·2Ds̄, with the step's end-of-step plastic
rate D and s̄ at the quadrature points (backward Euler, as the local update integrates them).
The temperature the material update reads is a per-point array (``temperature``): the next
step runs at the temperature this one left (staggered coupling).

- ``adiabatic``: no conduction; each point heats by ζ·2Δγ s̄/(ρc), exactly and locally.
- ``conducting``: T is a continuous P1 field, implicit Euler over the step,

      ∫ (T − Tₙ) w + Δt κ ∇T·∇w dx = Δt ∫ s w dx,   κ = k/(ρc), s = ζ·2Ds̄/(ρc),

  solved for the increment δ = T − Tₙ on the free dofs; facet groups with a fixed temperature
  hold it, all others carry no flux. The points read T interpolated from the field.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
import ufl
from dolfinx import fem

from stz_fem.fem.constraints import Constraints, Periodicity, Prescribed
from stz_fem.fem.free_system import FreeSystem
from stz_fem.fem.linear import plain_ksp
from stz_fem.fem.quadrature import QuadratureSpace
from stz_fem.material import MaterialParameters


class HeatField:
    """Temperature (K) at the quadrature points of ``q``, heated by plastic work.

    ``fixed`` maps the facets (local indices) of each group held at a temperature to that
    temperature (K); it and ``periodic`` only matter when ``conducting``. Starts at the
    material's bath temperature T (fixed groups at their own).
    """

    def __init__(self, q: QuadratureSpace, params: MaterialParameters, conducting: bool,
                 fixed: tuple[tuple[np.ndarray, float], ...] = (),
                 periodic: tuple[Periodicity, ...] = ()) -> None:
        self.q = q
        self.heating = params.heating_per_work()
        self.temperature = np.full(q.size, params.T)
        self.conduction = (
            _Conduction(q, params, fixed, periodic) if conducting else None)

    def apply(self, rate: np.ndarray, sbar: np.ndarray, dt: float) -> None:
        """Heat over a step of ``dt`` (s) by the plastic rate D (1/s) and s̄ (Pa) at the points,
        updating ``temperature`` in place."""
        source = self.heating * 2.0 * rate * sbar  # K/s
        if self.conduction is None:
            self.temperature += source * dt
        else:
            self.conduction.step(source, dt, self.temperature)

    @property
    def field(self) -> fem.Function | None:
        """The P1 temperature (K) of a conducting field, else None."""
        return None if self.conduction is None else self.conduction.T

    def restored(self) -> None:
        """After a checkpoint was read into ``temperature`` and ``field``: keep them consistent
        (the points of a conducting field read the field)."""
        if self.conduction is not None:
            self.conduction.T.x.scatter_forward()
            self.q.evaluate(self.conduction.T_expr, out=self.temperature)

    def destroy(self) -> None:
        """Free the PETSc objects (collective)."""
        if self.conduction is not None:
            self.conduction.destroy()


class _Conduction:
    """The implicit-Euler heat equation of a P1 temperature with fixed and insulated facets."""

    def __init__(self, q: QuadratureSpace, params: MaterialParameters,
                 fixed: tuple[tuple[np.ndarray, float], ...],
                 periodic: tuple[Periodicity, ...]) -> None:
        mesh = q.mesh
        V = fem.functionspace(mesh, ("Lagrange", 1))
        constraints = Constraints(
            V, prescribed=tuple(Prescribed(facets, None, _uniform(value))
                                for facets, value in fixed),
            periodic=tuple(Periodicity(p.is_image, p.shift) for p in periodic))
        self.T = fem.Function(V, name="temperature_K")
        self.T.x.array[:] = params.T
        free = constraints.create_free_vector()
        constraints.restrict(self.T, 0.0, free)
        constraints.prolong(free, 0.0, self.T)  # the fixed groups at their temperatures
        free.destroy()
        self.delta = fem.Function(V)
        self.source = q.function()
        self.q = q
        self.dt = fem.Constant(mesh, 0.0)
        # κ as a Constant: another material reuses the compiled forms
        kappa = fem.Constant(mesh, params.conductivity / (params.rho * params.heat_capacity))
        T, w, dx = ufl.TrialFunction(V), ufl.TestFunction(V), q.dx
        flux = self.dt * kappa
        self.lhs = fem.form(T * w * dx + flux * ufl.inner(ufl.grad(T), ufl.grad(w)) * dx)
        self.rhs = fem.form(self.dt * self.source * w * dx
                            - flux * ufl.inner(ufl.grad(self.T), ufl.grad(w)) * dx)
        self.T_expr = q.expression(self.T)
        self.system = FreeSystem(constraints, self.lhs)
        self.solver = plain_ksp(mesh.comm, "direct", "stzheat_")
        self._dt = None

    def step(self, source: np.ndarray, dt: float, temperature: np.ndarray) -> None:
        """T ← T + δ over ``dt`` (s) with the heat source (K/s) at the points; ``temperature``
        ← T at the points."""
        self.q.assign(self.source, source)
        if dt != self._dt:  # the operator depends on the step only
            self.dt.value = dt
            self.solver.setOperators(self.system.operator(self.lhs))
            self._dt = dt
        self.system.solve(self.solver, self.rhs, self.delta)
        self.T.x.array[:] += self.delta.x.array
        self.q.evaluate(self.T_expr, out=temperature)

    def destroy(self) -> None:
        self.solver.destroy()
        self.q.mesh.comm.Barrier()  # see MechanicsSolver.destroy
        self.system.destroy()


def _uniform(value: float):
    """A prescribed value that is ``value`` (K) at every point and time."""
    return lambda x, t: np.full(x.shape[1], value)
