"""The material state at the quadrature points and the local update that advances it: the law of
docs/model.md §2 (``update.update_points``), or with the orientation lag of §2.4 the tensor
update that also carries the STZ orientation M (``lagged_update.update_points_lagged``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stz_fem.material.lagged_update import update_points_lagged
from stz_fem.material.stz import Law
from stz_fem.material.update import update_points


@dataclass
class MaterialState:
    """Quadrature-point state, ordered (owned cell, point): plastic strain (n, 6) Mandel,
    χ (n,) K, accumulated engineering plastic strain ∫2D dt (n,), and the STZ orientation M
    (n, 6) Mandel with the orientation lag ((0, 6) without it: the option costs nothing off)."""

    plastic_strain: np.ndarray
    chi: np.ndarray
    accumulated: np.ndarray
    orientation: np.ndarray

    @classmethod
    def initial(cls, chi: np.ndarray, oriented: bool) -> MaterialState:
        """An unstrained glass with effective temperature ``chi`` (n,), K, and, if
        ``oriented`` (the orientation lag), an orientation M = 0."""
        n = chi.size
        return cls(np.zeros((n, 6)), chi, np.zeros(n), np.zeros((n if oriented else 0, 6)))

    def copy(self) -> MaterialState:
        return MaterialState(self.plastic_strain.copy(), self.chi.copy(),
                             self.accumulated.copy(), self.orientation.copy())


def advance(law: Law, strain: np.ndarray, start: MaterialState, dt: float, end: MaterialState,
            stress: np.ndarray, rate: np.ndarray, tangent: np.ndarray,
            temperature: np.ndarray) -> None:
    """Backward-Euler update of every point from ``start`` over ``dt`` (s) at total strain
    ``strain`` (n, 6): plastic strain, χ and M into ``end``, stress (Pa), plastic rate D (1/s)
    and tangent (Pa) into the arrays. A point the update cannot take gets NaN outputs."""
    if law.eps_a > 0.0:
        # cases refuse heating with the lag (cases.py): ``temperature`` is empty here
        update_points_lagged(strain, start.plastic_strain, start.chi, start.orientation, dt,
                             law, stress, end.plastic_strain, end.chi, end.orientation, rate,
                             tangent)
    else:
        update_points(strain, start.plastic_strain, start.chi, dt, law, stress,
                      end.plastic_strain, end.chi, rate, tangent, temperature)
