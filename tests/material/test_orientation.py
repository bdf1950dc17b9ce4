"""The orientation lag (docs/model.md §2.4): the STZ orientation m as an internal variable, in
homogeneous simple shear. Its limits are analytic: ε_a → 0 is the law of §2, the small-stress
response is a standard linear solid, and steady flow does not see the lag."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from stz_fem import material
from stz_fem.calibration.shear_curve import shear_response
from stz_fem.cases import read_case
from stz_fem.errors import InputError
from stz_fem.material.lagged_update import integrate_lagged
from stz_fem.material.orientation import (
    _residual,
    classes,
    lag_after,
    rate_factors,
    shear_increment,
)
from stz_fem.material.rate_terms import K_B
from stz_fem.material.stz import pack
from stz_fem.material_point import Loading, StepLimits, run
from stz_fem.specimens import load_case


def _glass(**changes):
    """Cu50Zr50 with a Johnson–Samwer barrier and an STZ density Λ of order 1e-2, where the lag
    carries a strain comparable with the elastic one."""
    base = dict(rate_term="johnson-samwer", W0=1700.0, gamma_C0=0.1, chi0=4000.0,
                chi_inf=7000.0, c0=5.0, T=300.0, G=23e9)
    return material.load("cu50zr50").replace(**{**base, **changes})


def _stress_at(params, rate, strains, limits=None):
    gamma, stress, _ = shear_response(params, params.chi0, rate, float(strains[-1]),
                                      limits or StepLimits())
    return np.interp(strains, gamma, stress)


def test_a_vanishing_lag_is_the_law_of_section_2():
    strains = np.linspace(0.0, 0.25, 101)
    law = _stress_at(_glass(), 1e9, strains)
    lagged = _stress_at(_glass(eps_a=1e-9), 1e9, strains)
    assert np.max(np.abs(lagged - law)) < 1e-4 * law.max()
    # and a real lag changes the curve
    assert np.max(np.abs(_stress_at(_glass(eps_a=2.0), 1e9, strains) - law)) > 0.02 * law.max()


def test_small_stresses_load_a_standard_linear_solid():
    """Eyring barrier, τ ≪ k_BT/Ωε₀: 𝒯 = Ωε₀τ/k_BT and the lag adds the compliance ε_aΛΩε₀/k_BT
    when m has time to relax (τ₀ε_a/2C(0) = 0.016 s here), nothing when it has not."""
    params = material.load("cu50zr50").replace(eps_a=1.0, chi0=4566.0, T=300.0)
    compliance = params.eps_a * math.exp(-params.T_Z / params.chi0) * (
        params.Omega * params.eps0 / (K_B * params.T))
    relaxed = 1.0 / (1.0 / params.G + compliance)
    assert relaxed < 0.5 * params.G  # the test would see a wrong compliance
    strain = np.array([0.0, 2e-5])
    limits = StepLimits(stress=1e-6)
    slow = _stress_at(params, 1e-7, strain, limits)[-1] / strain[-1]  # 200 s ≫ 0.016 s
    fast = _stress_at(params, 1e3, strain, limits)[-1] / strain[-1]   # 20 ns ≪ 0.016 s
    assert slow == pytest.approx(relaxed, rel=1e-2)
    assert fast == pytest.approx(params.G, rel=1e-3)


def test_steady_flow_does_not_see_the_lag():
    """At χ = χ∞ (no softening left) m settles at s_y/τ, where the law of §2 puts it; near it m
    relaxes over a strain ε_aΛs_y/τ ≈ 0.1, so the curves meet well after it."""
    params = _glass(chi0=7000.0)
    strains = np.array([0.0, 2.0])
    law = _stress_at(params, 1e9, strains)[-1]
    lagged = _stress_at(params.replace(eps_a=3.0), 1e9, strains)[-1]
    assert lagged == pytest.approx(law, rel=1e-4)


@pytest.mark.parametrize("spread", [0.0, 400.0])
@pytest.mark.parametrize("tau_tr, dt", [(0.3e9, 1e-11), (1.6e9, 1e-12), (2.5e9, 1e-10)])
def test_one_step_solves_its_backward_euler_equations(spread, tau_tr, dt):
    params = _glass(eps_a=2.0, barrier_spread=spread)
    law = pack(params)
    n = classes(law)
    m_n = np.linspace(0.0, 0.3, n)
    m = np.empty(n)
    x, chi = shear_increment(tau_tr, params.chi0, m_n, dt, law, m)
    tau = tau_tr - 2.0 * params.G * x
    f = math.exp(-params.k_chi * (chi - params.chi_s) / params.T_Z)
    flow = 0.0
    nodes, weights = np.polynomial.hermite.hermgauss(7)
    for k in range(n):
        b0 = law.b0 if n == 1 else max(law.b0 + spread * math.sqrt(2.0) * nodes[k], 0.0)
        c, bias, _, _ = rate_factors(tau / f, law, b0)
        a = 2.0 * dt * c / (params.eps_a * params.tau0)
        # the annihilation term (∝ the plastic work) only where the class flows forwards
        annihilation = m[k] * tau / (f * params.s_y) if m_n[k] <= bias else 0.0
        assert m[k] - m_n[k] == pytest.approx(a * (bias - m[k]) * (1.0 - annihilation),
                                              rel=1e-9, abs=1e-13)
        flow += (1.0 if n == 1 else weights[k] / math.sqrt(math.pi)) * c * (bias - m[k])
    assert x == pytest.approx(dt * math.exp(-params.T_Z / chi) * flow / params.tau0, rel=1e-9,
                              abs=1e-15)
    assert 0.0 < x < tau_tr / (2.0 * params.G)


def _exact_lag(m_n, a, b, bias):
    """The lag 𝒯 − m of one step to 40 digits (decimal), from m − mₙ = a(𝒯 − m)(1 − bm) with
    the annihilation where the lag has the stress's sign, else m − mₙ = a(𝒯 − m)."""
    with localcontext() as ctx:
        ctx.prec = 40
        m_n, a, b, bias = (Decimal(v) for v in (m_n, a, b, bias))
        gap = bias - m_n
        if gap * b < 0:
            return float(gap / (1 + a))
        # a b d² + (1 + a − ab𝒯) d − (𝒯 − mₙ) = 0, the root of gap's sign
        quad, lin = a * b, 1 + a - a * b * bias
        if quad == 0:
            return float(gap / lin)
        root = (lin * lin + 4 * quad * gap).sqrt()
        roots = ((-lin + root) / (2 * quad), (-lin - root) / (2 * quad))
        return float(min(roots, key=lambda d: abs(d - gap / (1 + a))))


@pytest.mark.parametrize("a", [1e-3, 1.0, 1e6, 1e12])
@pytest.mark.parametrize("b", [0.5, 2.0, -1.5])
@pytest.mark.parametrize("m_n, bias", [(0.0, 0.4), (0.39, 0.4), (0.6, 0.4), (-0.2, -0.5)])
def test_the_lag_keeps_its_digits_where_the_orientation_sits_at_its_target(a, b, m_n, bias):
    """With a = 2ΔtC/(ε_aτ₀) ≫ 1 m is 𝒯 (or s_y/τ) to many digits and the plastic rate is
    their difference: lag_after gives it to round-off, not as a difference of two O(1)
    numbers."""
    assert lag_after(m_n, a, b, bias) == pytest.approx(_exact_lag(m_n, a, b, bias), rel=1e-13,
                                                        abs=1e-300)


@pytest.mark.parametrize("spread", [0.0, 400.0])
@pytest.mark.parametrize("m_start", [0.0, 0.3, 0.95])
@pytest.mark.parametrize("tau_tr, dt", [(0.8e9, 1e-11), (1.6e9, 1e-12), (2.5e9, 1e-10)])
def test_the_step_equation_has_the_slope_newton_uses(spread, m_start, tau_tr, dt):
    """dφ/dx of the scalar step (through χ, f, C, 𝒯 and the lags) against central differences,
    at the root and on either side of it."""
    params = _glass(eps_a=2.0, barrier_spread=spread, k_chi=10.0)
    law = pack(params)
    m_n = np.full(classes(law), m_start)
    m = np.empty_like(m_n)
    root, _ = shear_increment(tau_tr, params.chi0, m_n, dt, law, m)
    for x in (root, 0.5 * root + 1e-6, 1.5 * root + 1e-5):
        h = 1e-7 * max(abs(x), 1e-6)
        up = _residual(x + h, tau_tr, params.chi0, m_n, dt, 0.0, law, m)[0]
        down = _residual(x - h, tau_tr, params.chi0, m_n, dt, 0.0, law, m)[0]
        slope = _residual(x, tau_tr, params.chi0, m_n, dt, 0.0, law, m)[1]
        assert slope == pytest.approx((up - down) / (2.0 * h), rel=1e-5)


def test_the_tensor_update_is_the_scalar_one_in_simple_shear():
    """The material-point driver integrates M as a tensor (``lagged_update``); in simple shear
    M stays parallel to s and the curve is the scalar driver's."""
    params = _glass(eps_a=2.0)
    curve = run(params, Loading(kind="simple-shear", rate=1e9, strain=0.2))
    gamma, stress, _ = shear_response(params, params.chi0, 1e9, 0.2, StepLimits())
    np.testing.assert_allclose(curve["strain"], gamma, rtol=1e-12)
    np.testing.assert_allclose(curve["stress_Pa"], stress, rtol=0, atol=1e-9 * stress.max())
    # engineering plastic strain = γ − σ/G; D is half its rate, 1e9/2 in steady flow
    assert curve["plastic_strain"][-1] == pytest.approx(gamma[-1] - stress[-1] / params.G)
    assert curve["D_per_s"][-1] == pytest.approx(0.5e9, rel=0.05)
    # m from 0 to its steady value s_y/τ (configurational softening off here)
    assert curve["orientation"][0] == 0.0
    assert curve["orientation"][-1] == pytest.approx(params.s_y / stress[-1], rel=0.05)


def test_uniaxial_tension_with_the_lag_yields_at_the_von_mises_equivalent():
    """Uniaxial loading is s̄ = σ/√3: its steady flow stress is √3 times the shear one at the
    same plastic rate D, with or without the lag (steady flow does not see it)."""
    params = _glass(eps_a=2.0, chi0=7000.0)
    # uniaxial strain rate ε̇ with D = √3ε̇/2 ... in steady flow 2D = √3 ε̇ (von Mises)
    tension = run(params, Loading(kind="uniaxial-tension", rate=1e9 / math.sqrt(3.0),
                                  strain=1.2))
    shear = _stress_at(params, 1e9, np.array([0.0, 2.0]))[-1]
    assert tension["stress_Pa"][-1] == pytest.approx(math.sqrt(3.0) * shear, rel=2e-3)
    assert tension["stress_Pa"][-1] == pytest.approx(run(
        params.replace(eps_a=0.0), Loading(kind="uniaxial-tension", rate=1e9 / math.sqrt(3.0),
                                           strain=1.2))["stress_Pa"][-1], rel=2e-3)


def test_what_the_lag_does_not_cover_is_refused_in_one_line():
    params = _glass(eps_a=2.0)
    with pytest.raises(InputError, match=r"eps_a = 2: .*--adiabatic needs eps_a = 0"):
        run(params.replace(rho=6000.0, heat_capacity=400.0),
            Loading(kind="simple-shear", rate=1e9, strain=0.05), adiabatic=True)
    with pytest.raises(InputError, match=r"material\.alpha = 0\.1: the orientation lag"):
        run(params.replace(alpha=0.1), Loading(kind="simple-shear", rate=1e9, strain=0.05))
    with pytest.raises(InputError, match=r"isothermal runs only so far; heat\.mode = 'adiabatic'"):
        load_case(read_case("cases/shear_strip.toml", ["material.eps_a=1.0",
                                                       "heat.mode='adiabatic'"]))
    with pytest.raises(InputError, match=r"eps_a.*needs s_y > 0"):
        material.load("cu50zr50").replace(eps_a=1.0, s_y=0.0, s_chi=1e9)


def test_a_glass_softened_to_underflow_still_steps():
    """Optimizer designs reach f(χ) = e^{−k_χ(χ − χ_s)/T_Z} ≈ 1e-243, whose square underflows:
    the step and its slope are formed without f² (compiled code raises on x/0, as Python
    does). The scalar step relaxes the stress fully; the tensor update, whose flow direction
    is undefined at s = 0, reports the point as not converged (NaN), which makes a
    finite-element step fail and be cut, instead of raising."""
    params = _glass(eps_a=2.0, k_chi=60.0, chi0=2.0e5, chi_inf=2.0e5)
    law = pack(params)
    m = np.empty(1)
    x, chi = shear_increment(1.0e9, params.chi0, np.zeros(1), 1e-12, law, m)
    assert math.isfinite(x) and math.isfinite(chi) and math.isfinite(m[0])
    state = integrate_lagged(law, np.array([0.0, 0.0, 0.0, 0.02, 0.0, 0.0]), np.zeros(6),
                             params.chi0, np.zeros(6), 1e-12)[0]
    assert x == pytest.approx(1.0e9 / (2.0 * params.G))
    assert state.iterations >= 0 or np.all(np.isnan(state.stress))
