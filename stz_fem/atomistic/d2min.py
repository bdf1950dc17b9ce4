"""Non-affine squared displacement D²min (Falk & Langer, PRE 57, 7192, 1998).

For atom i with neighbours j within ``cutoff`` in the reference configuration,
D²min_i = min_J Σ_j |d_ij − J d⁰_ij|², where d⁰ and d are the reference and current separations.
The minimiser is J = X Y⁻¹ with X = Σ d ⊗ d⁰ and Y = Σ d⁰ ⊗ d⁰. D²min is the sum over
neighbours (not the mean), in the squared length unit of the positions (Å² for LAMMPS metal).

Periodic images follow the cell: a neighbour reached through image shift n is at
``r_j + h n`` in both configurations, each with its own cell matrix ``h``. Positions must be
unwrapped (continuous in time, e.g. LAMMPS ``xu yu zu``) and in the same atom order.
"""

import numpy as np

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.neighbours import PeriodicNeighbours
from stz_fem.errors import InputError


def _outer_sum(i: np.ndarray, u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Per-atom sums Σ u ⊗ v over pairs (n, 3, 3), one component at a time to save memory."""
    sums = [
        np.bincount(i, weights=u[:, a] * v[:, b], minlength=n) for a in range(3) for b in range(3)
    ]
    return np.stack(sums, axis=-1).reshape(n, 3, 3)


def d2min(
    reference_box: Box,
    reference: np.ndarray,
    current_box: Box,
    current: np.ndarray,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-atom D²min (length²) and best local affine map J (N, 3, 3), ``d ≈ J d⁰``.

    Neighbours are the atoms within ``cutoff`` (length) of each atom in the reference
    configuration; every atom needs at least three that are not coplanar.
    """
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    if reference.shape != current.shape or reference.ndim != 2 or reference.shape[1] != 3:
        raise InputError(
            f"d2min: positions must be two (N, 3) arrays of equal shape; got {reference.shape} "
            f"and {current.shape}"
        )
    n = len(reference)
    i, j, shift = PeriodicNeighbours(reference_box, reference, cutoff).query(reference)
    keep = (i != j) | np.any(shift != 0, axis=1)
    i, j, shift = i[keep], j[keep], shift[keep]
    count = np.bincount(i, minlength=n)
    if count.min() < 3:
        raise InputError(
            f"d2min: cutoff {cutoff:g} leaves {np.count_nonzero(count < 3)} atoms with fewer "
            f"than 3 neighbours; allowed: a cutoff that reaches the first neighbour shell"
        )
    d0 = reference[j] + shift @ reference_box.h.T - reference[i]
    d = current[j] + shift @ current_box.h.T - current[i]
    x = _outer_sum(i, d, d0, n)
    y = _outer_sum(i, d0, d0, n)
    try:
        # J = X Y⁻¹ with Y symmetric: solve Y Jᵀ = Xᵀ
        jac = np.linalg.solve(y, np.swapaxes(x, 1, 2)).swapaxes(1, 2)
    except np.linalg.LinAlgError:
        raise InputError(
            f"d2min: cutoff {cutoff:g} leaves atoms whose neighbours are coplanar; "
            "allowed: a cutoff that reaches the first neighbour shell"
        ) from None
    squared = sum((d[:, a] - np.einsum("pb,pb->p", jac[i, a], d0)) ** 2 for a in range(3))
    return np.bincount(i, weights=squared, minlength=n), jac
