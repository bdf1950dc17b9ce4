"""Optional terms of docs/model.md §2.3 and the PE→χ map of §5: off by default, as documented
when on."""

import math

import numpy as np
import pytest

from stz_fem import material
from stz_fem.errors import InputError
from stz_fem.material.parameters import K_B_EV
from stz_fem.material.stz import log_rate, log_rate_chi_slope, pack, plastic_rate
from stz_fem.material_point import Loading, run


@pytest.mark.parametrize("preset", ["vitreloy1", "cu50zr50"])
def test_presets_are_their_own_effective_material(preset):
    params = material.load(preset)
    assert params.effective(1e3) is params
    assert params.G_at(1000.0) == params.G and params.chi_inf_at(1e12) == params.chi_inf


def test_shear_modulus_is_linear_in_temperature_and_positive():
    params = material.load("cu50zr50").replace(dG_dT=-1e7, T_moduli=100.0, T=300.0)
    assert params.effective().G == pytest.approx(20e9 - 2e9)
    assert params.effective().dG_dT == 0.0
    with pytest.raises(InputError, match="dG_dT"):
        params.replace(T=2100.0)


def test_rate_dependent_chi_inf_follows_haxton_liu_above_its_plateau():
    params = material.load("cu50zr50").replace(chi_inf_A=20000.0)
    low, high = 1e-3, 1e10
    assert params.chi_inf_at(low) == params.chi_inf  # plateau: A/ln(1/γ̇τ₀) is below χ∞
    assert params.chi_inf_at(high) == pytest.approx(20000.0 / math.log(1.0 / (high * 1e-13)))
    assert params.chi_inf_at(3e10) > params.chi_inf_at(high)


def test_driver_uses_chi_inf_at_the_loading_rate():
    params = material.load("cu50zr50").replace(chi_inf_A=20000.0)
    rate = 1e10
    on = run(params, Loading(kind="simple-shear", rate=rate, strain=2.0))
    off = run(params.replace(chi_inf=params.chi_inf_at(rate), chi_inf_A=None),
              Loading(kind="simple-shear", rate=rate, strain=2.0))
    assert on["chi_K"][-1] == pytest.approx(off["chi_K"][-1], rel=1e-12)
    assert on["chi_K"][-1] > params.chi_inf  # beyond the plateau value, towards χ∞(γ̇)


def test_energy_map_removes_the_vibrational_energy():
    params = material.load("cu50zr50").replace(pe_beta=0.5, pe_u0=-4.9)
    u = -4.85
    want = 0.5 * (u - 1.5 * K_B_EV * 300.0 + 4.9) * params.T_Z
    assert params.chi_of_energy(u, 300.0) == pytest.approx(want)
    assert params.replace(pe_vibration=0.0).chi_of_energy(u, 300.0) == pytest.approx(
        0.5 * 0.05 * params.T_Z)
    with pytest.raises(InputError, match="≤ 0"):
        params.chi_of_energy(-4.95)
    with pytest.raises(InputError, match="pe_u0"):
        material.load("cu50zr50").replace(pe_beta=0.5)
    with pytest.raises(InputError, match="PE→χ map"):
        material.load("cu50zr50").chi_of_energy(u)


@pytest.mark.parametrize("term", ["eyring", "johnson-samwer"])
def test_vanishing_barrier_spread_is_one_barrier(term):
    params = material.load("cu50zr50").replace(rate_term=term, W0=20000.0, gamma_C0=0.08)
    tau, chi = np.linspace(0.9e9, 1.6e9, 8), np.full(8, 900.0)
    one = plastic_rate(params, tau, chi)
    spread = plastic_rate(params.replace(barrier_spread=1e-9), tau, chi)
    assert np.all(one > 0.0)
    np.testing.assert_allclose(spread, one, rtol=1e-11)


def test_eyring_barrier_spread_gives_the_lognormal_mean_rate():
    # Eyring: D ∝ e^{−Δ/T} times a factor free of Δ, so a Gaussian Δ of width σ multiplies D by
    # ⟨e^{−δ/T}⟩ = e^{σ²/2T²} (7 Gauss–Hermite nodes: exact to ~1e-7 at σ = T).
    params = material.load("cu50zr50").replace(T=300.0)
    tau, chi = np.array([0.9e9, 1.2e9]), np.array([700.0, 700.0])
    ratio = plastic_rate(params.replace(barrier_spread=300.0), tau, chi) / plastic_rate(
        params, tau, chi)
    np.testing.assert_allclose(ratio, math.exp(0.5), rtol=1e-6)


def test_barrier_spread_slope_is_the_derivative_of_the_averaged_rate():
    params = material.load("cu50zr50").replace(rate_term="johnson-samwer", W0=20000.0,
                                               gamma_C0=0.08, barrier_spread=3000.0)
    law, tau, step = pack(params), 1.2e9, 1e3
    log_d, slope = log_rate(tau, 900.0, law)
    above, _ = log_rate(tau + step, 900.0, law)
    below, _ = log_rate(tau - step, 900.0, law)
    assert log_d > log_rate(tau, 900.0, pack(params.replace(barrier_spread=0.0)))[0]
    assert slope == pytest.approx((above - below) / (2.0 * step), rel=1e-6)


def _softened(term: str, k_chi: float = 30.0) -> material.MaterialParameters:
    return material.load("cu50zr50").replace(rate_term=term, W0=20000.0, gamma_C0=0.08,
                                             k_chi=k_chi, chi_s=800.0)


@pytest.mark.parametrize("term", ["eyring", "johnson-samwer"])
def test_configurational_softening_scales_the_stress_scales_by_f(term):
    # D(τ, χ) = D₀(τ/f(χ), χ): the unsoftened law with s_y and the barrier's stress scale
    # (τ_c = γ_C0·G, or k_BΔ/Ωε₀ through Ω) multiplied by f = exp(−k_χ(χ − χ_s)/T_Z)
    soft = _softened(term)
    base = soft.replace(k_chi=0.0)
    for chi in (700.0, 800.0, 1100.0):
        f = math.exp(-30.0 * (chi - 800.0) / base.T_Z)
        scaled = base.replace(s_y=base.s_y * f, gamma_C0=base.gamma_C0 * f,
                              Omega=base.Omega / f)
        tau = np.linspace(0.9e9, 1.6e9, 8) * f
        rates = plastic_rate(soft, tau, np.full(8, chi))
        assert np.all(rates > 0.0)
        np.testing.assert_allclose(rates, plastic_rate(scaled, tau, np.full(8, chi)),
                                   rtol=1e-12)
    # a warmer (rejuvenated) glass flows faster at the same stress than without softening
    ratio = plastic_rate(soft, 1.2e9, 1100.0) / plastic_rate(base, 1.2e9, 1100.0)
    assert ratio > 10.0


@pytest.mark.parametrize("term", ["eyring", "johnson-samwer"])
def test_configurational_softening_slopes_are_the_derivatives_of_log_rate(term):
    law, tau, chi = pack(_softened(term)), 1.2e9, 900.0
    log_d, l_tau = log_rate(tau, chi, law)
    d_tau, d_chi = 1e3, 1e-3
    fd_tau = (log_rate(tau + d_tau, chi, law)[0] - log_rate(tau - d_tau, chi, law)[0]) / (
        2.0 * d_tau)
    fd_chi = (log_rate(tau, chi + d_chi, law)[0] - log_rate(tau, chi - d_chi, law)[0]) / (
        2.0 * d_chi)
    assert np.isfinite(log_d)
    assert l_tau == pytest.approx(fd_tau, rel=1e-6)
    assert log_rate_chi_slope(tau, l_tau, chi, law) == pytest.approx(fd_chi, rel=1e-6)
    # without softening the χ slope is the STZ density's alone, T_Z/χ²
    plain = pack(_softened(term, k_chi=0.0))
    assert log_rate_chi_slope(tau, log_rate(tau, chi, plain)[1], chi, plain) == pytest.approx(
        plain.T_Z / chi**2, rel=1e-15)
