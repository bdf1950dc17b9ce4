"""Johnson–Samwer coefficients and the Eyring activation volume from synthetic model data."""

import numpy as np
import pytest

from stz_fem import material
from stz_fem.calibration import fit_activation_volume, fit_johnson_samwer, js_barrier_from_fit
from stz_fem.errors import InputError
from stz_fem.material_point import steady_flow_stress


def test_johnson_samwer_line_with_noise():
    rng = np.random.default_rng(3)
    G, Tg = 30e9, 650.0
    T = np.linspace(50.0, 550.0, 8)
    tau = G * (0.036 - 0.016 * (T / Tg) ** (2 / 3)) * (1 + rng.normal(0, 1e-3, T.size))
    fit = fit_johnson_samwer(T, tau, G, Tg)
    assert fit.gamma_C0 == pytest.approx(0.036, rel=0.02)
    assert fit.gamma_C1 == pytest.approx(0.016, rel=0.02)
    assert 0 < fit.gamma_C1_error < 0.1 * fit.gamma_C1
    assert fit.r2 > 0.99


def test_johnson_samwer_from_model_flow_stress_round_trips_W0():
    """Steady flow of the JS rate term (s_y = 0, χ = χ∞) at rate_ref follows the JS line."""
    params = material.load("vitreloy1").replace(
        rate_term="johnson-samwer", s_y=0.0, s_chi=0.85e9, gamma_C0=0.036, gamma_C1=0.016
    )
    T = np.linspace(0.2, 0.9, 6) * params.Tg
    tau = [steady_flow_stress(params.replace(T=t), params.rate_ref) for t in T]
    fit = fit_johnson_samwer(T, np.array(tau), params.G, params.Tg)
    assert fit.gamma_C0 == pytest.approx(0.036, rel=0.02)
    assert fit.gamma_C1 == pytest.approx(0.016, rel=0.02)
    W0 = js_barrier_from_fit(fit, params.Tg, params.T_Z, params.chi_inf, params.tau0,
                             params.rate_ref)
    assert W0 == pytest.approx(params.js_barrier, rel=0.02)


def test_eyring_activation_volume_from_model_flow_stress():
    params = material.load("cu50zr50").replace(s_y=0.0, s_chi=0.85e9)
    rates = np.logspace(5, 9, 5)
    tau = [steady_flow_stress(params, r) for r in rates]
    fit = fit_activation_volume(rates, np.array(tau), params.T)
    assert fit.V_star == pytest.approx(params.Omega * params.eps0, rel=0.01)
    assert fit.min_argument > 5.0  # inside the stated high-stress regime


def test_eyring_needs_two_rates():
    with pytest.raises(InputError, match="rates"):
        fit_activation_volume(np.array([1e8, 1e8]), np.array([1e9, 1.1e9]), 100.0)
