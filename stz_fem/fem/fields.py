"""Cell fields of a solver state: DG0 averages for ParaView, gathered arrays for band measures."""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from dolfinx import fem
from dolfinx.mesh import compute_midpoints

from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material.mandel import (
    SQRT2,
    equivalent_shear_stress,
    intermediate_stress_ratio,
    pressure,
)

FIELD_NAMES = (
    "chi_K", "sbar_Pa", "pressure_Pa", "von_mises_Pa", "D_per_s", "plastic_strain",
    "dissipation", "shear_strain", "lode_N",
)


class CellFields:
    """Per-cell averages of the quadrature state (owned cells), as DG0 functions and arrays."""

    def __init__(self, solver: MechanicsSolver) -> None:
        self.solver = solver
        mesh = solver.mesh
        W = fem.functionspace(mesh, ("DG", 0))
        # the temperature only where it is a field (docs/model.md §3.1), the STZ orientation
        # only with the orientation lag (§2.4)
        names = FIELD_NAMES + (("temperature_K",) if solver.temperature.size else ()) + (
            ("orientation",) if solver.constants.eps_a > 0.0 else ())
        self.functions = {name: fem.Function(W, name=name) for name in names}
        self._dofs = W.dofmap.list[: solver.q.n_cells, 0]
        tdim = mesh.topology.dim
        self.centroids = compute_midpoints(mesh, tdim, solver.q.cells)[:, : mesh.geometry.dim]
        self.volume = solver.q.cell_volume

    def averages(self) -> dict[str, np.ndarray]:
        """Cell averages of χ (K), s̄, p, von Mises stress (Pa), D (1/s), accumulated plastic
        strain, the dissipation density 2Ds̄ (W/m³), the total engineering shear strain
        γ_xy = 2ε_xy, the stress state N = s_II/s̄ (``theory.critical_hardening_modulus``:
        how much softening a band needs there), where it is a field the temperature (K),
        and with the orientation lag
        the magnitude of the STZ orientation, m̄ = √(M:M/2) (1 for a fully oriented
        population); owned cells."""
        s = self.solver
        sbar = equivalent_shear_stress(s.stress)
        point = {
            "chi_K": s.state.chi, "sbar_Pa": sbar, "pressure_Pa": pressure(s.stress),
            "von_mises_Pa": np.sqrt(3.0) * sbar, "D_per_s": s.rate,
            "plastic_strain": s.state.accumulated, "dissipation": 2.0 * s.rate * sbar,
            "shear_strain": SQRT2 * s.strain[:, 5],
            "lode_N": intermediate_stress_ratio(s.stress),
        }
        if s.temperature.size:
            point["temperature_K"] = s.temperature
        if s.constants.eps_a > 0.0:
            point["orientation"] = equivalent_shear_stress(s.state.orientation)
        return {k: s.q.cell_average(v) for k, v in point.items()}

    def update_functions(self, averages: dict[str, np.ndarray]) -> list[fem.Function]:
        for name, f in self.functions.items():
            f.x.array[self._dofs] = averages[name]
            f.x.scatter_forward()
        return list(self.functions.values())

    def gather(self, averages: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        """All cells' centroids, volumes and averages on rank 0 (None elsewhere)."""
        comm = self.solver.mesh.comm
        local = {"coords": self.centroids, "volume": self.volume, **averages}
        gathered = comm.gather(local, root=0)
        if comm.rank != 0:
            return None
        return {k: np.concatenate([g[k] for g in gathered]) for k in local}
