"""Stress invariants of Mandel vectors (stz_fem.material.mandel)."""

import math

import numpy as np
import pytest

from stz_fem.material.mandel import SQRT2, equivalent_shear_stress, intermediate_stress_ratio


def mandel(t):
    return np.array([t[0, 0], t[1, 1], t[2, 2], SQRT2 * t[1, 2], SQRT2 * t[0, 2], SQRT2 * t[0, 1]])


def test_stress_states_with_known_n():
    """Axisymmetric compression +1/√3 and tension −1/√3 (any pressure added), simple shear
    and plane-strain flow with σ_zz at the in-plane mean 0, no stress 0."""
    compression = mandel(np.diag([-1.0, -1.0, -3.0]))
    tension = mandel(np.diag([2.0, 0.5, 0.5]))
    shear = mandel(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    plane = mandel(np.array([[-3.0, 0.5, 0.0], [0.5, -1.0, 0.0], [0.0, 0.0, -2.0]]))
    n = intermediate_stress_ratio(np.stack([compression, tension, shear, plane, np.zeros(6)]))
    np.testing.assert_allclose(n, [1 / math.sqrt(3), -1 / math.sqrt(3), 0, 0, 0], atol=1e-14)


def test_invariant_under_rotation_and_bounded():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = rng.normal(size=(3, 3))
        t = a + a.T
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        n, n_rotated = intermediate_stress_ratio(np.stack([mandel(t), mandel(q @ t @ q.T)]))
        assert n == pytest.approx(n_rotated, abs=1e-12)
        assert abs(n) <= 1 / math.sqrt(3) + 1e-12
        # s_II from the principal values of s, by hand
        s = np.sort(np.linalg.eigvalsh(t - np.trace(t) / 3 * np.eye(3)))
        assert n * equivalent_shear_stress(mandel(t)) == pytest.approx(s[1], abs=1e-12)
