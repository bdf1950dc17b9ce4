"""LU factorization with partial pivoting of the small dense systems of a material-point
update (6×6 in Mandel notation), in place and without allocation.

numba's ``np.linalg.solve`` allocates its copies and calls LAPACK through a wrapper whose
overhead, about a microsecond, is larger than the arithmetic of a 6×6 solve; an update that
solves a few of them at each of 10⁶ quadrature points per Newton iteration spends most of its
time there. Both functions are compiled (``numba.njit``).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def lu_factor(a, pivots):
    """Overwrites the n×n matrix ``a`` by its LU factors (unit lower triangle below the
    diagonal) and ``pivots`` (int, n) by the row exchanges. Returns False if ``a`` is singular
    to round-off (a zero pivot)."""
    n = a.shape[0]
    for k in range(n):
        p = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[p, k]):
                p = i
        pivots[k] = p
        if a[p, k] == 0.0:
            return False
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= inv
            factor = a[i, k]
            if factor != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= factor * a[k, j]
    return True


@njit(cache=True)
def lu_solve(lu, pivots, b):
    """Solves A x = b in place (``b`` becomes x, a vector or the columns of an n×m matrix)
    from the factors of ``lu_factor``."""
    n = lu.shape[0]
    columns = b.reshape((n, -1))
    for c in range(columns.shape[1]):
        for k in range(n):
            p = pivots[k]
            if p != k:
                columns[k, c], columns[p, c] = columns[p, c], columns[k, c]
        for i in range(1, n):
            total = columns[i, c]
            for j in range(i):
                total -= lu[i, j] * columns[j, c]
            columns[i, c] = total
        for i in range(n - 1, -1, -1):
            total = columns[i, c]
            for j in range(i + 1, n):
                total -= lu[i, j] * columns[j, c]
            columns[i, c] = total / lu[i, i]
