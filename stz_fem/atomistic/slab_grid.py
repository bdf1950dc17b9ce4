"""Per-atom fields of a quasi-2-D MD specimen binned onto a 2-D grid in the reference frame.

Atoms are binned by their positions in the reference (first) frame, so every grid cell follows
the same material (a Lagrangian grid, as the finite-element fields on the undeformed mesh). Each
later frame gives, per atom, the non-affine displacement D²min and the local deformation
gradient J of the neighbourhood (``d2min``), from which the von Mises local shear strain of
Shimizu, Ogata & Li (Mater. Trans. 48, 2923, 2007) follows; each grid cell holds the mean over
its atoms (through the thickness z). The potential-energy map for χ has the species offsets
removed (``energy_chi.composition_corrected``, offsets of the reference frame's interior atoms:
in a 190-atom cell the Cu/Zr count alone moves the raw mean by ≈ 0.1 eV) and leaves surface
atoms (few neighbours) out, whose excess energy is broken bonds, not the structural disorder
that χ describes; cells with no interior atom take the nearest interior cell's value.
"""

from collections.abc import Iterable

import numpy as np
from scipy.ndimage import distance_transform_edt

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.d2min import d2min
from stz_fem.atomistic.energy_chi import composition_corrected, species_offsets
from stz_fem.atomistic.neighbours import PeriodicNeighbours
from stz_fem.errors import InputError

ANGSTROM = 1e-10
# Neighbour count (within COORDINATION_CUTOFF) below this fraction of its species' median marks
# an atom as a surface atom: an atom at a flat surface loses about a third of its neighbours.
SURFACE_FRACTION = 0.8
COORDINATION_CUTOFF = 3.8  # Å, the first minimum of the Cu50Zr50 g(r)


def von_mises_strain(jac: np.ndarray) -> np.ndarray:
    """Von Mises local shear strain η (Shimizu et al. 2007) of deformation gradients (N, 3, 3):
    E = (JᵀJ − I)/2, η = √(E_xy² + E_yz² + E_xz² + [(E_xx−E_yy)² + (E_yy−E_zz)² + (E_zz−E_xx)²]/6).
    """
    e = 0.5 * (np.einsum("nki,nkj->nij", jac, jac) - np.eye(3))
    shear = e[:, 0, 1] ** 2 + e[:, 1, 2] ** 2 + e[:, 0, 2] ** 2
    normal = (
        (e[:, 0, 0] - e[:, 1, 1]) ** 2
        + (e[:, 1, 1] - e[:, 2, 2]) ** 2
        + (e[:, 2, 2] - e[:, 0, 0]) ** 2
    )
    return np.sqrt(shear + normal / 6.0)


def coordination(box: Box, positions: np.ndarray, cutoff: float) -> np.ndarray:
    """Number of other atoms within ``cutoff`` (length) of each atom, periodic images included
    along the box's periodic axes."""
    i, j, shift = PeriodicNeighbours(box, positions, cutoff).query(positions)
    others = (i != j) | np.any(shift != 0, axis=1)
    return np.bincount(i[others], minlength=len(positions))


def interior_atoms(box: Box, positions: np.ndarray, types: np.ndarray) -> np.ndarray:
    """True for atoms with at least SURFACE_FRACTION of the median coordination of their own
    species (Zr atoms have more neighbours than Cu atoms, so one threshold would drop bulk Cu
    and bias the species mix)."""
    count = coordination(box, positions, COORDINATION_CUTOFF)
    median = {t: np.median(count[types == t]) for t in np.unique(types)}
    return count >= SURFACE_FRACTION * np.vectorize(median.get)(types)


class SlabGrid:
    """Uniform bins of about ``bin_size`` over the x–y extent of an orthogonal reference box,
    atoms binned by their (wrapped) reference positions; lengths in Å."""

    def __init__(self, box: Box, reference: np.ndarray, bin_size: float) -> None:
        if not box.orthogonal:
            raise InputError("slab grid: the reference frame's box must be orthogonal")
        reference = box.cartesian(box.wrap_fractional(box.fractional(reference))[0])
        lo, hi = box.lo[:2], box.lo[:2] + np.diag(box.h)[:2]
        self.shape = tuple(int(n) for n in np.maximum(1, np.round((hi - lo) / bin_size)))
        self.lo, self.size = lo, (hi - lo) / self.shape
        index = np.floor((reference[:, :2] - lo) / self.size).astype(int)
        index = np.minimum(index, np.array(self.shape) - 1)
        self.flat = np.ravel_multi_index((index[:, 1], index[:, 0]), self.shape[::-1])

    @property
    def centres_m(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates x, y in m, measured from the reference box's lower corner."""
        return tuple((np.arange(n) + 0.5) * d * ANGSTROM for n, d in zip(self.shape, self.size,
                                                                            strict=True))

    def counts(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Atoms per cell [y, x] (only those where ``mask`` is true)."""
        flat = self.flat if mask is None else self.flat[mask]
        return np.bincount(flat, minlength=int(np.prod(self.shape))).reshape(self.shape[::-1])

    def mean(self, values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Mean of per-atom ``values`` in each cell [y, x]; nan where a cell holds no atom."""
        flat, values = (self.flat, values) if mask is None else (self.flat[mask], values[mask])
        total = np.bincount(flat, weights=values, minlength=int(np.prod(self.shape)))
        count = self.counts(mask).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / count).reshape(self.shape[::-1])


def fill_nearest(field: np.ndarray) -> np.ndarray:
    """Copy of a 2-D field whose nan cells take the value of the nearest finite cell."""
    missing = ~np.isfinite(field)
    if missing.all():
        raise InputError("slab grid: no cell holds an interior atom")
    _, (iy, ix) = distance_transform_edt(missing, return_indices=True)
    return field[iy, ix]


def slab_fields(
    frames: Iterable[tuple[Box, np.ndarray, np.ndarray]], types: np.ndarray, bin_size: float,
    cutoff: float = 5.0,
) -> dict[str, np.ndarray]:
    """Gridded fields of a slab's frames, each (box, unwrapped positions (N, 3) in Å in a fixed
    atom order, per-atom potential energy in eV), of atoms of species ``types``; the first
    frame is the reference.

    Returns ``x_m``, ``y_m`` (cell centres, m) and [frame, y, x] arrays: ``pe_eV`` (mean PE per
    atom), ``pe_corrected_eV`` (interior atoms, species offsets removed, gaps filled from the
    nearest cell), ``d2min_A2`` (mean D²min, Å², neighbours within ``cutoff`` Å in the
    reference) and ``shear_strain`` (mean von Mises local shear strain), plus ``atoms`` [y, x].
    """
    frames = iter(frames)
    box0, r0, pe0 = first = next(frames)
    grid = SlabGrid(box0, r0, bin_size)
    interior = interior_atoms(box0, r0, types)
    offsets = species_offsets(pe0[interior], types[interior])
    # cells less than half filled with interior atoms (at the notches) hold near-surface
    # atoms only: their energy is taken from the nearest full cell
    count = grid.counts(interior)
    full = count >= 0.5 * np.median(count)
    fields: dict[str, list[np.ndarray]] = {
        "pe_eV": [], "pe_corrected_eV": [], "d2min_A2": [], "shear_strain": []}
    for box, r, pe in (first, *frames):
        value, jac = d2min(box0, r0, box, r, cutoff)
        fields["pe_eV"].append(grid.mean(pe))
        corrected = composition_corrected(pe, types, offsets)
        fields["pe_corrected_eV"].append(fill_nearest(np.where(
            full, grid.mean(corrected, interior), np.nan)))
        fields["d2min_A2"].append(grid.mean(value))
        fields["shear_strain"].append(grid.mean(von_mises_strain(jac)))
    x_m, y_m = grid.centres_m
    return {"x_m": x_m, "y_m": y_m, "atoms": grid.counts(),
            **{name: np.stack(stack) for name, stack in fields.items()}}
