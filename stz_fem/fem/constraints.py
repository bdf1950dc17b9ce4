"""Dirichlet and periodic constraints as a prolongation from free to full degrees of freedom.

The full displacement is u = P x + g: x holds the free dofs (neither prescribed nor periodic
images), P copies each free dof to itself and to its periodic images, and g holds prescribed
values and periodic jumps (u(x + L) = u(x) + jump). The reduced Newton system is PᵀAP δx = −Pᵀr,
which PETSc forms in parallel (``Mat.PtAP``). DOLFINx has no periodic conditions and
dolfinx_mpc has no wheel here; this works for any space, any number of ranks.

A grip (``grip``: the dofs a compliant testing machine holds) adds one free dof that all the
grip's dofs follow: its column of P has a 1 in each of their rows (none for a grip that moves
a contact obstacle rather than dofs). It is the last free dof of
rank 0 (``grip_index``); the machine's spring acts on it (``stz_fem.fem.machine.Machine``).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Periodicity:
    """Points x with ``is_image(x)`` are images of x − shift (shift in m, length gdim).

    ``jump(t)`` is the displacement added on images (m, per component), e.g. γ(t)·H·e_x for a
    sheared periodic cell; None for plain periodicity.
    """

    is_image: Callable[[np.ndarray], np.ndarray]
    shift: Sequence[float]
    jump: Callable[[float], Sequence[float]] | None = None


@dataclass(frozen=True)
class Prescribed:
    """Dofs of ``component`` (None: all) on boundary facets get ``value(x, t)`` (m), or are
    held at zero without one.

    ``value`` maps points (3, n) and time (s) to (n,) for one component, or (bs, n) for all.
    ``where`` (points (3, n) → bool (n,)) keeps only some of the facets' nodes, e.g. one corner
    that pins the rigid translation of a fully periodic cell.
    """

    facets: np.ndarray
    component: int | None
    value: Callable[[np.ndarray, float], np.ndarray] | None = None
    where: Callable[[np.ndarray], np.ndarray] | None = None


class Constraints:
    """Prolongation P (PETSc Mat, full × free) and the offset vector g(t) of a space."""

    def __init__(
        self, V: fem.FunctionSpace, prescribed: Sequence[Prescribed] = (),
        periodic: Sequence[Periodicity] = (), grip: Sequence[Prescribed] | None = None,
    ) -> None:
        self.V = V
        comm = V.mesh.comm
        n_nodes, self.bs = V.dofmap.index_map.size_local, V.dofmap.index_map_bs
        self._coords = V.tabulate_dof_coordinates()[:n_nodes]
        fixed = self._locate_prescribed(prescribed)
        held = self._locate_grip(grip or ()) & ~fixed
        self._periodic = list(periodic)
        master_coords, self._shifts_taken = self._follow_shifts()
        is_image = self._shifts_taken.any(axis=1)

        free = ~fixed & ~held & ~is_image[:, None]
        self._free = free.ravel()
        n_free = int(free.sum())
        extra = 1 if grip is not None and comm.rank == 0 else 0
        offset = comm.exscan(n_free + extra) or 0
        free_index = np.full((n_nodes, self.bs), -1, dtype=np.int64)
        free_index[free] = offset + np.arange(n_free)
        self.n_free_global = comm.allreduce(n_free + extra)
        # the grip dof: the last free dof of rank 0 (None without a grip)
        self.grip_index = comm.bcast(offset + n_free if extra else None, root=0)
        self._held = held.ravel()
        if self.grip_index is not None:
            free_index[held] = self.grip_index
        column = self._master_columns(free_index, fixed, is_image, master_coords)
        self.fixed = fixed
        self.P = self._prolongation(column, n_free + extra)
        self._full = self.P.createVecLeft()

    def _locate_prescribed(self, prescribed: Sequence[Prescribed]) -> np.ndarray:
        """Owned nodes × components held by ``prescribed`` (bool); records each condition's
        nodes for ``offset``."""
        V, coords = self.V, self._coords
        n_nodes, fdim = coords.shape[0], V.mesh.topology.dim - 1
        fixed = np.zeros((n_nodes, self.bs), dtype=bool)
        self._prescribed: list[tuple[np.ndarray, list[int], Prescribed]] = []
        for bc in prescribed:
            nodes = fem.locate_dofs_topological(V, fdim, bc.facets)
            nodes = nodes[nodes < n_nodes]
            if bc.where is not None:
                nodes = nodes[bc.where(coords[nodes].T)]
            comps = list(range(self.bs)) if bc.component is None else [bc.component]
            fixed[np.ix_(nodes, comps)] = True
            self._prescribed.append((nodes, comps, bc))
        return fixed

    def _locate_grip(self, grip: Sequence[Prescribed]) -> np.ndarray:
        """Owned nodes × components that follow the grip dof (bool)."""
        V = self.V
        held = np.zeros((self._coords.shape[0], self.bs), dtype=bool)
        for bc in grip:
            nodes = fem.locate_dofs_topological(V, V.mesh.topology.dim - 1, bc.facets)
            nodes = nodes[nodes < self._coords.shape[0]]
            if bc.where is not None:
                nodes = nodes[bc.where(self._coords[nodes].T)]
            held[np.ix_(nodes, list(range(self.bs)) if bc.component is None
                        else [bc.component])] = True
        return held

    def _follow_shifts(self) -> tuple[np.ndarray, np.ndarray]:
        """Each owned node followed through the periodic shifts to its master (corner nodes
        of a doubly periodic cell take two): the masters' coordinates (m) and how many times
        each shift was taken."""
        master_coords = self._coords.copy()
        shifts_taken = np.zeros((master_coords.shape[0], len(self._periodic)), dtype=int)
        for _ in range(len(self._periodic) + 1):
            for k, per in enumerate(self._periodic):
                on = per.is_image(master_coords.T)
                master_coords[on, : len(per.shift)] -= np.asarray(per.shift)
                shifts_taken[on, k] += 1
        return master_coords, shifts_taken

    def _master_columns(self, free_index: np.ndarray, fixed: np.ndarray, is_image: np.ndarray,
                        master_coords: np.ndarray) -> np.ndarray:
        """The free column of every owned node × component (−1: prescribed). Masters may live
        on other ranks: the free indices of every owned node that can be a master (not itself
        an image) are shared and matched by coordinates; images inherit ``fixed``."""
        column = free_index.copy()
        if not self._periodic:
            return column
        comm, candidates = self.V.mesh.comm, ~is_image
        all_coords = np.concatenate(comm.allgather(self._coords[candidates]))
        all_index = np.concatenate(comm.allgather(free_index[candidates]))
        all_fixed = np.concatenate(comm.allgather(fixed[candidates]))
        scale = np.ptp(self.V.mesh.geometry.x, axis=0).max()
        dist, where = cKDTree(all_coords).query(master_coords[is_image])
        if np.any(dist > 1e-8 * scale):
            raise RuntimeError("periodic constraint: image nodes without a matching master")
        column[is_image] = all_index[where]
        fixed[is_image] |= all_fixed[where]
        column[fixed] = -1
        return column

    def _prolongation(self, column: np.ndarray, n_free: int) -> PETSc.Mat:
        """P (full × free, one 1 per row that is not prescribed) from the free columns."""
        imap, bs = self.V.dofmap.index_map, self.bs
        cols = column.ravel()
        keep = cols >= 0
        indptr = np.concatenate([[0], np.cumsum(keep)]).astype(PETSc.IntType)
        P = PETSc.Mat().createAIJ(
            ((imap.size_local * bs, imap.size_global * bs), (n_free, self.n_free_global)),
            comm=self.V.mesh.comm,
        )
        P.setPreallocationNNZ((1, 1))
        P.setValuesCSR(indptr, cols[keep].astype(PETSc.IntType), np.ones(keep.sum()))
        P.assemble()
        return P

    def offset(self, t: float) -> np.ndarray:
        """g(t) on owned dofs (flattened, length n_owned·bs): prescribed values and jumps."""
        g = np.zeros((self._coords.shape[0], self.bs))
        for k, per in enumerate(self._periodic):
            if per.jump is not None:
                g += np.outer(self._shifts_taken[:, k], np.asarray(per.jump(t))[: self.bs])
        for nodes, comps, bc in self._prescribed:
            if bc.value is None:
                g[np.ix_(nodes, comps)] = 0.0
                continue
            values = np.atleast_2d(bc.value(self._coords[nodes].T, t))
            g[np.ix_(nodes, comps)] = values.T if values.shape[0] == len(comps) else values
        return g.ravel()

    def destroy(self) -> None:
        """Free the PETSc objects (collective: call on every rank, in the same order)."""
        self.P.destroy()
        self._full.destroy()

    def create_free_vector(self) -> PETSc.Vec:
        return self.P.createVecRight()

    def prolong(self, x: PETSc.Vec, t: float | None, u: fem.Function) -> None:
        """u ← P x + g(t) (P x alone for t = None, e.g. an increment), ghosts updated."""
        n = self._coords.shape[0] * self.bs
        self.P.mult(x, self._full)
        u.x.array[:n] = self._full.getArray(readonly=True)
        if t is not None:
            u.x.array[:n] += self.offset(t)
        u.x.scatter_forward()

    def restrict(self, u: fem.Function, t: float | None, x: PETSc.Vec) -> None:
        """x ← the free dofs of u − g(t) (of u for t = None): the inverse of ``prolong`` for a
        u that satisfies the constraints."""
        n = self._coords.shape[0] * self.bs
        values = u.x.array[:n] - (0.0 if t is None else self.offset(t))
        if self.grip_index is None:
            x.array[:] = values[self._free]
            return
        # the grip dof: the mean over the grip's dofs (all equal for a u that P x gives)
        comm = self.V.mesh.comm
        total = comm.allreduce(float(values[self._held].sum()), op=MPI.SUM)
        count = comm.allreduce(int(self._held.sum()), op=MPI.SUM)
        grip = total / max(count, 1)
        x.array[:] = np.append(values[self._free], grip) if comm.rank == 0 else values[self._free]

    def reaction(
        self, residual: np.ndarray, facets: np.ndarray, component: int,
        lever: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> float:
        """Sum of the full residual (N) over the owned dofs of ``component`` on ``facets``;
        with ``lever`` (node points (3, n) → arm (n,), m) the moment Σ f·arm (N·m)."""
        fdim = self.V.mesh.topology.dim - 1
        nodes = fem.locate_dofs_topological(self.V, fdim, facets)
        nodes = nodes[nodes < self._coords.shape[0]]
        forces = residual[nodes * self.bs + component]
        if lever is not None:
            forces = forces * lever(self._coords[nodes].T)
        local = forces.sum()
        return self.V.mesh.comm.allreduce(local, op=MPI.SUM)
