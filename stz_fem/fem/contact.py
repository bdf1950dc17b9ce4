"""Frictionless contact with rigid indenters and rollers (cylinders in 2-D, spheres in 3-D), by
penalty.

Each obstacle is a disk or ball of radius R whose centre moves along −e_y (or stays put):
c(t) = c₀ − d(t) e_y, d(t) = v·t the depth of its lowest point below the undeformed surface.
At a surface point X with displacement u the gap is g = |X + u − c(t)| − R, and the contact
stores the energy (summed over the obstacles)

    Π(u, t) = ∫_Γ (k/2) ⟨−g⟩₊² dΓ,

whose variation is the pressure p = k⟨−g⟩₊ acting along the indenter's normal. UFL derives the
residual and the consistent tangent from Π (``MechanicsSolver(energy=...)``). The penetration
is p/k, so k ≫ E*/h keeps it below the element size: ``penalty`` is k·h/E (dimensionless).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem.fem.constraints import Constraints

CONTACT_TAG = 1


@dataclass(frozen=True)
class RigidIndenter:
    """A rigid cylinder (2-D) or sphere (3-D): radius (m), initial centre (m, gdim) and speed
    along −e_y (m/s; 0 for a fixed support roller)."""

    radius: float
    centre: tuple[float, ...]
    speed: float = 0.0

    def geometry(self, u: fem.Function, t: fem.Constant, depth=None):
        """Unit normal from the centre to the displaced surface point, and the penetration
        ⟨R − |X + u − c(t)|⟩₊ (m), as UFL expressions. ``depth`` (UFL, m), if given, is the
        travel d of a moving obstacle in place of v·t: the grip of a compliant machine."""
        mesh = u.function_space.mesh
        gdim = mesh.geometry.dim
        e_y = ufl.as_vector([1.0 if i == 1 else 0.0 for i in range(gdim)])
        # per-run numbers are Constants, not literals: a new radius, position or speed then
        # reuses the compiled form instead of compiling a new one
        travel = fem.Constant(mesh, float(self.speed)) * t
        if depth is not None and self.speed != 0.0:
            travel = depth
        centre = fem.Constant(mesh, np.asarray(self.centre[:gdim], dtype=float)) - travel * e_y
        offset = ufl.SpatialCoordinate(mesh) + u - centre
        distance = ufl.sqrt(ufl.dot(offset, offset))
        radius = fem.Constant(mesh, float(self.radius))
        return offset / distance, ufl.max_value(radius - distance, 0.0)


@dataclass(frozen=True)
class PenaltyContact:
    """Rigid obstacles (indenters, rollers) pressing on ``facets`` with penalty stiffness k
    (Pa/m). Every obstacle is integrated over all the facets (its penetration is zero away
    from it), so one set of facet tags serves any number of them."""

    obstacles: tuple[RigidIndenter, ...]
    stiffness: float
    facets: np.ndarray

    def measure(self, mesh: dmesh.Mesh) -> ufl.Measure:
        fdim = mesh.topology.dim - 1
        facets = np.unique(self.facets).astype(np.int32)
        tags = dmesh.meshtags(mesh, fdim, facets, np.full(facets.size, CONTACT_TAG,
                                                          dtype=np.int32))
        # the contact edge is sharp: integrate the penalty with a high-order rule
        return ufl.Measure("ds", domain=mesh, subdomain_data=tags,
                           metadata={"quadrature_degree": 6})(CONTACT_TAG)

    def energy(self, u: fem.Function, t: fem.Constant, depth=None) -> ufl.Form:
        """Π(u, t), J (per m of thickness in 2-D); with ``depth`` (UFL, m) the moving
        obstacles travel by it instead of v·t."""
        mesh = u.function_space.mesh
        ds = self.measure(mesh)
        k = fem.Constant(mesh, float(self.stiffness))
        return sum(0.5 * k * obstacle.geometry(u, t, depth)[1] ** 2 * ds
                   for obstacle in self.obstacles)

    def forms(self, u: fem.Function, t: fem.Constant, obstacle: int = 0,
              depth=None) -> dict[str, fem.Form]:
        """Compiled integrals of the contact pressure p of one obstacle: force along −e_y (N,
        per m in 2-D), contact area (m, or m² in 3-D), and the pressure moments ∫p, ∫p r²
        over the contact (r the distance from the obstacle's axis), from which Hertz's contact
        size follows."""
        body = self.obstacles[obstacle]
        normal, penetration = body.geometry(u, t, depth)
        mesh = u.function_space.mesh
        ds = self.measure(mesh)
        pressure = fem.Constant(mesh, float(self.stiffness)) * penetration
        x = ufl.SpatialCoordinate(mesh)
        axis = [i for i in range(mesh.geometry.dim) if i != 1]
        centre = fem.Constant(mesh, np.asarray(body.centre[: mesh.geometry.dim], dtype=float))
        r2 = sum((x[i] - centre[i]) ** 2 for i in axis)
        touching = ufl.conditional(ufl.gt(penetration, 0.0), 1.0, 0.0)
        return {
            "force": fem.form(-pressure * normal[1] * ds),
            "area": fem.form(touching * ds),
            "moment0": fem.form(pressure * ds),
            "moment2": fem.form(pressure * r2 * ds),
        }


class ContactPredictor:
    """Newly touching surface nodes in a step's predictor, put back onto the obstacle.

    The secant predictor of a step (``MechanicsSolver.solve_step``) moves every node by the
    last step's increment. Inside the contact that is right (the surface follows the
    obstacle), but a node the contact reaches during the step moved less in the last step
    than the obstacle does in this one, so the predictor pushes it into the obstacle by a
    fraction of the step's travel, where the penalty k (``loading.penalty`` · E/h, 100 E/h by
    default) makes the overlap a force ~100 times stiffer than the elements around it: the
    step's first residual is then several times the load, and a reused AMG preconditioner
    built without those nodes' penalty turns indefinite (docs/numerics.md, "3-D: the
    sphere"). ``correction`` moves each such node (penetrating at the predictor,
    touching nothing at the step's start) along the obstacle's normal onto its surface: the
    step starts with the new contact nodes at zero penetration, the edge of the contact
    where Hertz's pressure vanishes. Nodes already in contact keep the secant prediction
    (their penetration p/k carries the pressure). Only the start of Newton changes, not the
    solution it converges to.
    """

    def __init__(self, contact: PenaltyContact, V: fem.FunctionSpace) -> None:
        mesh = V.mesh
        self.gdim = mesh.geometry.dim
        nodes = fem.locate_dofs_topological(V, mesh.topology.dim - 1,
                                            np.unique(contact.facets).astype(np.int32))
        self.nodes = nodes[nodes < V.dofmap.index_map.size_local]  # owned: ghosts follow
        self.coords = V.tabulate_dof_coordinates()[self.nodes, : self.gdim]
        self.obstacles = contact.obstacles
        self.u = fem.Function(V)  # scratch: the displacement of a free-dof vector, m
        self.shift = fem.Function(V)  # the correction on the full dofs, m
        self.moved = 0  # nodes moved by the last ``correction`` (this rank)

    def predict(self, x: PETSc.Vec, committed: PETSc.Vec, start: float, end: float,
                constraints: Constraints, travel: Callable[[PETSc.Vec], float | None]) -> None:
        """x (free dofs, the step's predictor at time ``end``, s) += the ``correction`` of the
        nodes that touched nothing in ``committed`` (the step's start, time ``start``).
        ``travel(x)``: the moving obstacles' travel (m) in x, None for v·t (collective)."""
        constraints.prolong(committed, start, self.u)
        before = self.touching(self.u, start, travel(committed))
        constraints.prolong(x, end, self.u)
        shift = self.correction(self.u, end, travel(x), before)
        step = x.duplicate()
        constraints.P.multTranspose(shift.x.petsc_vec, step)
        x.axpy(1.0, step)
        step.destroy()

    def _centre(self, body: RigidIndenter, t: float, depth: float | None) -> np.ndarray:
        """Centre (m) of ``body`` at time ``t`` (s), travelling by ``depth`` (m) if given and
        it moves (the grip of a compliant machine), as in ``RigidIndenter.geometry``."""
        travel = depth if depth is not None and body.speed != 0.0 else body.speed * t
        centre = np.asarray(body.centre[: self.gdim], dtype=float).copy()
        centre[1] -= travel
        return centre

    def _offsets(self, u: fem.Function, t: float, depth: float | None):
        """For each obstacle: its radius (m), the vectors centre → displaced surface node (m,
        (n, gdim)) and their lengths (m)."""
        points = self.coords + u.x.array.reshape(-1, u.function_space.dofmap.index_map_bs)[
            self.nodes, : self.gdim]
        for body in self.obstacles:
            offset = points - self._centre(body, t, depth)
            yield body.radius, offset, np.linalg.norm(offset, axis=1)

    def touching(self, u: fem.Function, t: float, depth: float | None = None) -> np.ndarray:
        """Whether each surface node penetrates an obstacle (bool, (n,)) for displacement u
        at time t (s)."""
        inside = np.zeros(self.nodes.size, dtype=bool)
        for radius, _, distance in self._offsets(u, t, depth):
            inside |= distance < radius
        return inside

    def correction(self, u: fem.Function, t: float, depth: float | None,
                   before: np.ndarray) -> fem.Function:
        """``shift`` ← the displacement (m) that moves each node penetrating an obstacle in u at
        time t (s), and not ``before`` (``touching`` at the step's start), radially onto that
        obstacle's surface; zero elsewhere."""
        bs = u.function_space.dofmap.index_map_bs
        shift = self.shift.x.array.reshape(-1, bs)
        shift[:] = 0.0
        moved = np.zeros(self.nodes.size, dtype=bool)
        for radius, offset, distance in self._offsets(u, t, depth):
            new = (distance < radius) & ~before & ~moved & (distance > 0.0)
            shift[self.nodes[new], : self.gdim] = offset[new] * (radius / distance[new] - 1.0)[
                :, None]
            moved |= new
        self.moved = int(moved.sum())
        return self.shift


def evaluate(forms: dict[str, fem.Form], comm: MPI.Comm) -> dict[str, float]:
    """The integrals of ``PenaltyContact.forms``, summed over ranks."""
    return {k: comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for k, f in forms.items()}


def hertz_half_width_from_moments(moment0: float, moment2: float) -> float:
    """Contact half-width a (m) of a 2-D (cylinder) pressure distribution from its moments:
    for Hertz's p ∝ √(1 − x²/a²), ∫p x² / ∫p = a²/4, so a = 2√(M₂/M₀)."""
    return 2.0 * float(np.sqrt(moment2 / moment0)) if moment0 > 0.0 else 0.0


def hertz_sphere_radius_from_moments(moment0: float, moment2: float) -> float:
    """Contact radius a (m) of an axisymmetric pressure distribution from its moments (over
    the full contact or any symmetric sector of it): for Hertz's p ∝ √(1 − r²/a²),
    ∫p r² dA / ∫p dA = 2a²/5, so a = √(5M₂/(2M₀))."""
    return float(np.sqrt(2.5 * moment2 / moment0)) if moment0 > 0.0 else 0.0


def hertz_sphere_force(depth: float, radius: float, e_star: float) -> float:
    """Hertz contact of a rigid sphere on a half-space: P = (4/3) E* √R d^{3/2} (N), with the
    depth d and R in m and E* = E/(1 − ν²) in Pa; the contact radius is √(R d)."""
    return float(4.0 / 3.0 * e_star * np.sqrt(radius) * depth**1.5)


def hertz_cylinder_half_width(force: float, radius: float, e_star: float) -> float:
    """Hertz line contact of a rigid cylinder on a half-space: a = √(4PR/(πE*)), with P the
    force per unit length (N/m), R (m) and E* = E/(1 − ν²) (Pa)."""
    return float(np.sqrt(4.0 * force * radius / (np.pi * e_star)))
