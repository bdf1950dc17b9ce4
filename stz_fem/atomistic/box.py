"""Periodic simulation cell in the LAMMPS convention (orthogonal or triclinic).

The edge vectors are the columns of ``h``; LAMMPS cells have the upper-triangular
``h = [[lx, xy, xz], [0, ly, yz], [0, 0, lz]]`` (other matrices work too, e.g. an affinely
deformed cell F·h) and start at ``lo``. Lengths are in the units of the source (Å for LAMMPS
metal units).
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Box:
    """Origin ``lo`` (3,), edge matrix ``h`` (3, 3) with the edges as columns, periodic flags."""

    lo: np.ndarray
    h: np.ndarray
    periodic: tuple[bool, bool, bool] = (True, True, True)

    @classmethod
    def from_bounds(
        cls,
        lo: np.ndarray,
        hi: np.ndarray,
        tilt: tuple[float, float, float] = (0.0, 0.0, 0.0),
        periodic: tuple[bool, bool, bool] = (True, True, True),
    ) -> "Box":
        """From LAMMPS ``xlo..zhi`` (not the bounding box) and tilt factors ``(xy, xz, yz)``."""
        lx, ly, lz = np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float)
        xy, xz, yz = tilt
        h = np.array([[lx, xy, xz], [0.0, ly, yz], [0.0, 0.0, lz]])
        return cls(np.asarray(lo, dtype=float), h, tuple(bool(p) for p in periodic))

    @property
    def tilt(self) -> tuple[float, float, float]:
        """``(xy, xz, yz)``."""
        return self.h[0, 1], self.h[0, 2], self.h[1, 2]

    @property
    def orthogonal(self) -> bool:
        return not np.any(self.h - np.diag(np.diag(self.h)))

    @property
    def volume(self) -> float:
        return float(abs(np.linalg.det(self.h)))

    @property
    def widths(self) -> np.ndarray:
        """Distances between opposite faces (the lengths along x, y, z for orthogonal cells)."""
        a, b, c = self.h.T
        return self.volume / np.linalg.norm(
            [np.cross(b, c), np.cross(c, a), np.cross(a, b)], axis=1
        )

    def fractional(self, positions: np.ndarray) -> np.ndarray:
        """Scaled coordinates (0..1 inside the cell) of cartesian ``positions`` (..., 3)."""
        return np.linalg.solve(self.h, (np.asarray(positions) - self.lo).T).T

    def cartesian(self, fractional: np.ndarray) -> np.ndarray:
        """Cartesian positions of scaled coordinates (..., 3)."""
        return self.lo + np.asarray(fractional) @ self.h.T

    def wrap_fractional(self, fractional: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scaled coordinates folded into [0, 1) along periodic axes, and the integer image
        ``m`` with ``fractional = folded + m``."""
        image = np.where(self.periodic, np.floor(fractional), 0.0)
        folded = fractional - image
        # s - floor(s) rounds to exactly 1.0 for tiny negative s
        wrapped = np.where(self.periodic, folded >= 1.0, False)
        return np.where(wrapped, folded - 1.0, folded), (image + wrapped).astype(np.int64)
