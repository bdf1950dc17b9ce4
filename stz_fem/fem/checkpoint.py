"""Checkpoints of a solver state that any number of MPI ranks can read back.

Everything is stored per cell, keyed by ``mesh.topology.original_cell_index`` (the cell's
index in the mesh as built, before DOLFINx partitions and reorders it): the quadrature-point
state, and the displacement as each cell's own dof values (a cell's local dof layout and its
quadrature points do not depend on the partition). Rank 0 gathers the owned cells and writes one
``.npz``; on reading, every rank picks its local cells (owned and ghost) by original index.
adios4dolfinx would do this, but it does not work with this wheel under MPI.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem

from stz_fem.errors import InputError

POINT_ARRAYS = ("plastic_strain", "chi", "accumulated", "stress", "rate")
"""Quadrature-point arrays of a ``MechanicsSolver`` that a checkpoint keeps."""


def _cell_dof_indices(V: fem.FunctionSpace, n_cells: int) -> np.ndarray:
    """Flat indices into ``u.x.array`` of the dofs of local cells 0..n_cells−1 (cell, dof·bs)."""
    bs = V.dofmap.index_map_bs
    dofs = V.dofmap.list[:n_cells]
    return (dofs[:, :, None] * bs + np.arange(bs)).reshape(n_cells, -1)


def _gather(comm, keys: np.ndarray, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    parts = comm.gather((keys, arrays), root=0)
    if comm.rank != 0:
        return None
    keys = np.concatenate([k for k, _ in parts])
    order = np.argsort(keys)
    return {"original_cell_index": keys[order],
            **{name: np.concatenate([a[name] for _, a in parts])[order] for name in arrays}}


def write(path: Path, solver, vectors: dict[str, fem.Function], scalars: dict[str, Any]) -> None:
    """Write the committed state of ``solver`` (collective), its points' temperatures too
    when they are a field.

    ``vectors`` are functions on any space of the mesh (stored per cell like u); ``scalars``
    is JSON-serializable run bookkeeping stored alongside.
    """
    mesh, q = solver.mesh, solver.q
    n = q.n_cells
    keys = np.asarray(mesh.topology.original_cell_index[:n], dtype=np.int64)
    state = solver.state
    point_values = {"plastic_strain": state.plastic_strain, "chi": state.chi,
                    "accumulated": state.accumulated, "stress": solver.stress,
                    "rate": solver.rate}
    if state.orientation.size:
        point_values["orientation"] = state.orientation
    if solver.temperature.size:
        point_values["temperature"] = solver.temperature
    arrays = {name: v.reshape(n, q.n_qp, *v.shape[1:]) for name, v in point_values.items()}
    arrays["u"] = solver.u.x.array[_cell_dof_indices(solver.V, n)]
    for name, f in vectors.items():
        arrays[f"vector_{name}"] = f.x.array[_cell_dof_indices(f.function_space, n)]
    gathered = _gather(mesh.comm, keys, arrays)
    if mesh.comm.rank == 0:
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, scalars=np.array(json.dumps(scalars)), **gathered)
        tmp.replace(path)
    mesh.comm.Barrier()


def read(path: Path, solver, vectors: dict[str, fem.Function]) -> dict[str, Any]:
    """Load a checkpoint into ``solver`` (state, stress, rate, u) and ``vectors``; return the
    scalars. Collective; the mesh must be the one the checkpoint was written from."""
    if not path.is_file():
        raise InputError(f"--restart: no checkpoint {path} (the run wrote none yet)")
    try:
        with np.load(path) as data:
            stored = {name: data[name] for name in data.files}
        scalars = json.loads(str(stored["scalars"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        raise InputError(f"--restart: {path} is damaged ({type(err).__name__}: {err}); "
                         "run again without --restart") from None
    mesh, q = solver.mesh, solver.q
    tdim = mesh.topology.dim
    local = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
    keys = np.asarray(mesh.topology.original_cell_index[:local], dtype=np.int64)
    pos = np.searchsorted(stored["original_cell_index"], keys)
    pos = np.minimum(pos, len(stored["original_cell_index"]) - 1)
    if not np.array_equal(stored["original_cell_index"][pos], keys):
        raise InputError(f"--restart: {path} was written for another mesh")
    owned = pos[: q.n_cells]
    state = solver.state
    for name, target in (("plastic_strain", state.plastic_strain), ("chi", state.chi),
                         ("accumulated", state.accumulated), ("stress", solver.stress),
                         ("rate", solver.rate),
                         *((("orientation", state.orientation),) if state.orientation.size
                           else ()),
                         *((("temperature", solver.temperature),) if solver.temperature.size
                           else ())):
        target[...] = stored[name][owned].reshape(target.shape)
    for f, key in ((solver.u, "u"), *((f, f"vector_{n}") for n, f in vectors.items())):
        f.x.array[_cell_dof_indices(f.function_space, local)] = stored[key][pos]
        f.x.scatter_forward()
    return scalars
