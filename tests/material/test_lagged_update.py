"""The tensor update of the orientation lag (docs/model.md §2.4, ``lagged_update``) where M is
not parallel to the stress: its backward-Euler equations hold and its tangent is the derivative
of its stress."""

import math

import numpy as np
import pytest

from stz_fem import material
from stz_fem.material.lagged_update import _residual, integrate_lagged
from stz_fem.material.orientation import rate_factors
from stz_fem.material.stz import pack

_DEVIATORIC = np.array([1.0, -0.4, -0.6, 0.3, -0.2, 0.5])


def _law(**changes):
    params = material.load("cu50zr50").replace(**{
        "rate_term": "johnson-samwer", "W0": 1700.0, "gamma_C0": 0.1, "chi0": 4000.0,
        "chi_inf": 7000.0, "c0": 5.0, "T": 300.0, "G": 23e9, "eps_a": 2.0, **changes})
    return params, pack(params)


def _state(strain_size, twist):
    """A strain along one deviatoric direction (plus a volume change) and an M along another."""
    strain = strain_size * _DEVIATORIC / np.linalg.norm(_DEVIATORIC)
    strain[:3] += 1e-3
    m_dir = np.roll(_DEVIATORIC, 2)
    m_dir[:3] -= m_dir[:3].mean()
    orientation = twist * m_dir / np.linalg.norm(m_dir) * math.sqrt(2.0)
    return strain.reshape(1, 6), orientation.reshape(1, 6)


@pytest.mark.parametrize("strain_size, twist, dt", [
    (0.02, 0.3, 1e-11), (0.06, 0.6, 1e-12), (0.08, 0.2, 1e-10), (0.01, -0.5, 1e-9)])
def test_the_step_solves_its_backward_euler_equations(strain_size, twist, dt):
    params, law = _law()
    strain, m_n = _state(strain_size, twist)
    res, m = integrate_lagged(law, strain, np.zeros((1, 6)), np.array([params.chi0]), m_n, dt)
    assert res.iterations >= 0
    chi, rate = res.chi, res.rate
    E = res.plastic_strain[0]
    s = res.stress[0].copy()
    s[:3] -= s[:3].mean()
    sbar = math.sqrt(0.5 * s @ s)
    c, bias, _, _ = rate_factors(sbar, law, law.b0)
    lam = math.exp(-params.T_Z / chi[0])
    k = dt * lam * c / params.tau0
    a = 2.0 * dt * c / (params.eps_a * params.tau0)
    g = max(s @ E, 0.0) / (params.eps_a * lam * params.s_y)
    np.testing.assert_allclose(m[0] * (1.0 + a + g), m_n[0] + a * bias * s / sbar,
                               rtol=0, atol=1e-10 * (1.0 + np.abs(m_n).max()))
    np.testing.assert_allclose(E, k * (bias * s / sbar - m[0]), rtol=0,
                               atol=1e-10 * np.abs(E).max())
    assert abs(E[:3].sum()) < 1e-12 * np.abs(E).max()  # isochoric
    assert rate[0] == pytest.approx(math.sqrt(0.5 * E @ E) / dt)
    # the flow is not along the stress: M_n turns it
    assert abs(E @ s) < 0.9999 * np.linalg.norm(E) * np.linalg.norm(s)


@pytest.mark.parametrize("strain_size, twist, dt", [(0.02, 0.3, 1e-11), (0.06, 0.6, 1e-12)])
def test_the_tangent_is_the_derivative_of_the_stress(strain_size, twist, dt):
    params, law = _law()
    strain, m_n = _state(strain_size, twist)
    args = (np.zeros((1, 6)), np.array([params.chi0]), m_n, dt)
    tangent = integrate_lagged(law, strain, *args)[0].tangent[0]
    h = 1e-7 * strain_size
    numeric = np.empty((6, 6))
    for j in range(6):
        up, down = strain.copy(), strain.copy()
        up[0, j] += h
        down[0, j] -= h
        numeric[:, j] = (integrate_lagged(law, up, *args)[0].stress[0]
                         - integrate_lagged(law, down, *args)[0].stress[0]) / (2.0 * h)
    np.testing.assert_allclose(tangent, numeric, rtol=0, atol=2e-5 * params.K)
    # and the flow has softened it: not the elastic tangent
    assert np.abs(tangent[3:, 3:] - 2.0 * params.G * np.eye(3)).max() > 1e-3 * params.G


@pytest.mark.parametrize("k_chi", [0.0, 13.0])
def test_the_jacobians_are_the_derivatives_of_the_residual(k_chi):
    """∂R/∂E and ∂R/∂s_tr, analytic through s̄, n̂, the work, χ and the softening, against
    central differences."""
    params, law = _law(k_chi=k_chi, chi_s=3800.0)
    strain, m_n = _state(0.05, 0.4)
    s_tr = 2.0 * params.G * (strain[0] - np.r_[np.full(3, strain[0, :3].mean()), np.zeros(3)])
    E = 0.3 * strain[0] - 0.1 * m_n[0] * 1e-2
    E[:3] -= E[:3].mean()
    dt, relax = 1e-11, 0.0
    args = (m_n[0], params.chi0, dt, relax, law)
    R, M = np.empty(6), np.empty(6)
    J, dR_ds = np.empty((6, 6)), np.empty((6, 6))
    _residual(E, s_tr, *args, R, M, J, dR_ds)
    none = np.empty((0, 6))
    for block, x, h, of_stress in ((J, E, 1e-9, False), (dR_ds, s_tr, 1e2, True)):
        numeric = np.empty((6, 6))
        for j in range(6):
            up, down = x.copy(), x.copy()
            up[j] += h
            down[j] -= h
            r_up, r_down = np.empty(6), np.empty(6)
            _residual(E if of_stress else up, up if of_stress else s_tr, *args, r_up, M, none,
                      none)
            _residual(E if of_stress else down, down if of_stress else s_tr, *args, r_down, M,
                      none, none)
            numeric[:, j] = (r_up - r_down) / (2.0 * h)
        np.testing.assert_allclose(block, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


def test_rate_factor_slopes_are_their_derivatives():
    _, law = _law()
    h = 1e3
    for tau in (-1.5e9, 2e8, 1.2e9, 2.6e9):
        _, _, dc, dbias = rate_factors(tau, law, law.b0)
        up, down = rate_factors(tau + h, law, law.b0), rate_factors(tau - h, law, law.b0)
        assert dc == pytest.approx((up[0] - down[0]) / (2.0 * h), rel=1e-5)
        assert dbias == pytest.approx((up[1] - down[1]) / (2.0 * h), rel=1e-5, abs=1e-18)
