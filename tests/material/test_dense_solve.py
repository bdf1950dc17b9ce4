"""The in-place LU of the material kernels' 6×6 systems against numpy."""

import numpy as np
import pytest

from stz_fem.material.dense_solve import lu_factor, lu_solve


@pytest.mark.parametrize("seed", range(5))
def test_lu_solves_what_numpy_solves(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(6, 6))
    a[0, 0] = 0.0  # the first pivot must be exchanged
    b = rng.normal(size=6)
    columns = rng.normal(size=(6, 6))
    lu, pivots = a.copy(), np.empty(6, dtype=np.int64)
    assert lu_factor(lu, pivots)
    x, xs = b.copy(), columns.copy()
    lu_solve(lu, pivots, x)
    lu_solve(lu, pivots, xs)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xs, np.linalg.solve(a, columns), rtol=1e-10, atol=1e-12)


def test_a_singular_matrix_is_reported():
    a = np.ones((6, 6))
    assert not lu_factor(a, np.empty(6, dtype=np.int64))
