"""Mandel notation for symmetric 3×3 tensors.

A symmetric tensor a is the 6-vector (a11, a22, a33, √2·a23, √2·a13, √2·a12), so that a:b is
the dot product and the fourth-order identity on symmetric tensors is the 6×6 identity.
"""

from __future__ import annotations

import numpy as np

SQRT2 = np.sqrt(2.0)
IDENTITY = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
"""Second-order identity, Mandel."""


def equivalent_shear_stress(sigma: np.ndarray) -> np.ndarray:
    """s̄ = sqrt(s:s/2) of Mandel stresses (..., 6), same unit as sigma."""
    sigma = np.asarray(sigma)
    s = sigma + pressure(sigma)[..., None] * IDENTITY
    return np.sqrt(0.5 * np.sum(s * s, axis=-1))


def pressure(sigma: np.ndarray) -> np.ndarray:
    """p = −tr σ/3 of Mandel stresses (..., 6), positive in compression."""
    sigma = np.asarray(sigma)
    return -(sigma[..., 0] + sigma[..., 1] + sigma[..., 2]) / 3.0


def intermediate_stress_ratio(sigma: np.ndarray) -> np.ndarray:
    """N = s_II/s̄ of Mandel stresses (..., 6), dimensionless: the intermediate principal
    deviatoric stress over s̄, Rudnicki–Rice's stress-state parameter (``stz_fem.theory``).
    0 in plane strain with plane plastic flow, +1/√3 in axisymmetric compression (the two
    other principal stresses equal and less compressive), −1/√3 in axisymmetric tension;
    0 where s̄ = 0."""
    sigma = np.asarray(sigma)
    tensor = np.empty((*sigma.shape[:-1], 3, 3))
    for (i, j), k in (((0, 0), 0), ((1, 1), 1), ((2, 2), 2), ((1, 2), 3), ((0, 2), 4),
                      ((0, 1), 5)):
        value = sigma[..., k] if i == j else sigma[..., k] / SQRT2
        tensor[..., i, j] = tensor[..., j, i] = value
    principal = np.linalg.eigvalsh(tensor)
    middle = principal[..., 1] - principal.mean(axis=-1)
    sbar = equivalent_shear_stress(sigma)
    return np.divide(middle, sbar, out=np.zeros_like(sbar), where=sbar > 0.0)
