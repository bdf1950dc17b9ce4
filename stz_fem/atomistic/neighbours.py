"""Pairs of points closer than a cutoff in a periodic cell, with the image that joins them.

A pair ``(i, j, shift)`` means ``atoms[j] + box.h @ shift - centres[i]`` is shorter than the
cutoff, for the positions as given (unwrapped coordinates are fine). Orthogonal fully periodic
cells with a cutoff below half the cell use scipy's toroidal cKDTree (``boxsize``); other cells
use explicit periodic images, which also counts several images of one atom when the cutoff
exceeds half the cell.
"""

import itertools

import numpy as np
from scipy.spatial import cKDTree

from stz_fem.atomistic.box import Box


class PeriodicNeighbours:
    """Neighbour search around arbitrary centres among fixed ``atoms`` (N, 3)."""

    def __init__(self, box: Box, atoms: np.ndarray, cutoff: float) -> None:
        self.box = box
        self.cutoff = float(cutoff)
        folded, self._image = box.wrap_fractional(box.fractional(atoms))
        self._toroidal = (
            box.orthogonal and all(box.periodic) and self.cutoff < 0.5 * box.widths.min()
        )
        if self._toroidal:
            self._lengths = np.diag(box.h)
            self._tree = cKDTree(self._in_box(folded), boxsize=self._lengths)
            return
        # atoms beyond a non-periodic face are kept as they are, without images
        margin = np.where(box.periodic, self.cutoff / box.widths, np.inf)
        reach = np.where(box.periodic, np.ceil(margin), 0).astype(int)
        index, shift = [], []
        for n in itertools.product(*(range(-r, r + 1) for r in reach)):
            moved = folded + n
            inside = np.all((moved >= -margin) & (moved < 1.0 + margin), axis=1)
            index.append(np.flatnonzero(inside))
            shift.append(np.broadcast_to(n, (index[-1].size, 3)))
        self._index = np.concatenate(index)
        self._shift = np.concatenate(shift)
        self._tree = cKDTree(box.cartesian(folded[self._index] + self._shift))

    def _in_box(self, folded: np.ndarray) -> np.ndarray:
        # cKDTree's boxsize wants [0, L); folded * L can round up to L
        return np.minimum(folded * self._lengths, np.nextafter(self._lengths, 0.0))

    def query(self, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Index into ``centres``, index into ``atoms`` and integer image shift (n, 3) of every
        pair within the cutoff (self pairs included)."""
        folded, image = self.box.wrap_fractional(self.box.fractional(centres))
        if self._toroidal:
            tree = cKDTree(self._in_box(folded), boxsize=self._lengths)
            found = tree.sparse_distance_matrix(self._tree, self.cutoff, output_type="ndarray")
            i, j = found["i"], found["j"]
            atoms_folded = self._tree.data[j] / self._lengths
            shift = -np.rint(atoms_folded - folded[i]).astype(np.int64)
        else:
            tree = cKDTree(self.box.cartesian(folded))
            found = tree.sparse_distance_matrix(self._tree, self.cutoff, output_type="ndarray")
            i, k = found["i"], found["j"]
            j, shift = self._index[k], self._shift[k]
        # shifts found between folded copies, expressed for the positions as given
        return i, j, shift - self._image[j] + image[i]
