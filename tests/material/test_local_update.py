"""Backward-Euler local update: tangent, robustness, χ relaxation."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stz_fem.material import integrate, load, pack
from stz_fem.material.mandel import equivalent_shear_stress, pressure
from stz_fem.material.stz import log_rate

VIT = load("vitreloy1")


def strain_with(params, tau_over_sy, volumetric, seed):
    """A strain whose trial τ = s̄ − αp is tau_over_sy·s_y, with a volumetric part, Mandel."""
    rng = np.random.default_rng(seed)
    dev = rng.normal(size=6)
    dev[:3] -= dev[:3].mean()
    sbar = max(tau_over_sy * params.s_y - params.alpha * params.K * volumetric, 0.0)
    dev *= sbar / np.sqrt(0.5 * np.sum((2 * params.G * dev) ** 2))
    return dev + volumetric * np.array([1, 1, 1, 0, 0, 0]) / 3


@pytest.mark.parametrize("rate_term", ["eyring", "johnson-samwer"])
@pytest.mark.parametrize(("alpha", "beta"), [(0.0, 0.0), (0.2, 0.0), (0.2, 0.1), (0.0, 0.15)])
@pytest.mark.parametrize(
    ("tau_over_sy", "chi", "dt"),
    [(0.7, 650.0, 1.0), (1.0005, 650.0, 1.0), (1.02, 620.0, 1e-2), (1.3, 800.0, 10.0)],
    ids=["elastic", "just-yielding", "flowing", "fast-flowing"],
)
def test_tangent_matches_central_differences(rate_term, alpha, beta, tau_over_sy, chi, dt):
    p = VIT.replace(alpha=alpha, beta=beta, rate_term=rate_term)
    # with dilatancy the plastic strain carries a volume change, which the trial pressure sees
    epsp = beta * np.array([1e-3, 2e-3, 0.0, 0.0, 0.0, 0.0])
    eps = strain_with(p, tau_over_sy, volumetric=-3e-3, seed=3) + epsp
    res = integrate(p, eps, epsp, [chi], dt)
    fd = np.empty((6, 6))
    h = 1e-8 * np.abs(eps).max()
    for b in range(6):
        de = np.zeros(6)
        de[b] = h
        fd[:, b] = (
            integrate(p, eps + de, epsp, [chi], dt).stress[0]
            - integrate(p, eps - de, epsp, [chi], dt).stress[0]
        ) / (2 * h)
    assert np.abs(res.tangent[0] - fd).max() <= 1e-6 * np.abs(fd).max()
    assert (res.rate[0] > 0.0) == (tau_over_sy > 1.0)


@settings(max_examples=60, deadline=None)
@given(
    log_dt=st.floats(-12.0, 3.0),
    chi=st.floats(300.0, 1500.0),
    sbar=st.floats(0.0, 5.0),
    volumetric=st.floats(-0.02, 0.02),
    alpha=st.sampled_from([0.0, 0.1]),
    beta=st.sampled_from([0.0, 0.1]),
    preset=st.sampled_from(["vitreloy1", "cu50zr50"]),
    rate_term=st.sampled_from(["eyring", "johnson-samwer"]),
    seed=st.integers(0, 1000),
)
# a stress that rounds to s_y exactly when re-evaluated, with D·Δt ≈ 4e-38 (found by Hypothesis)
@example(log_dt=0.0, chi=300.0, sbar=1.0, volumetric=0.0, alpha=0.1, beta=0.0,
         preset="cu50zr50", rate_term="eyring", seed=292)
def test_any_step_gives_finite_results_and_chi_never_overshoots(
    log_dt, chi, sbar, volumetric, alpha, beta, preset, rate_term, seed
):
    p = load(preset).replace(alpha=alpha, beta=beta, rate_term=rate_term)
    eps = strain_with(p, sbar, volumetric, seed)
    res = integrate(p, eps, np.zeros(6), [chi], 10.0**log_dt)
    for array in (res.stress, res.plastic_strain, res.chi, res.rate, res.tangent):
        assert np.all(np.isfinite(array))
    assert res.rate[0] >= 0.0
    lo, hi = sorted((chi, p.chi_inf))
    assert lo <= res.chi[0] <= hi
    # the end state solves D = D(τ, χ) at the end of the step, to the round-off of τ amplified
    # by ∂ log D/∂τ (huge just above s_y, where D grows from zero)
    sbar_end = equivalent_shear_stress(res.stress[0])
    if sbar_end > 1e-9 * p.s_y:
        tau_end = max(sbar_end - alpha * pressure(res.stress[0]), 0.0)
        log_d, slope = log_rate(tau_end, res.chi[0], pack(p))
        if res.rate[0] * 10.0**log_dt < 1e-30:
            # elastic step, or one whose increment is far below round-off (D·Δt ~ 1e-38 at a
            # stress that rounds to s_y, where log D = −inf): at most a round-off-sized
            # increment is missing (τ can round one ulp above s_y when re-evaluated from the
            # output stress)
            assert log_d + log_dt * np.log(10.0) < np.log(1e-14)
        else:
            tolerance = 1e-9 + 1e-14 * abs(slope) * (sbar + 1.0) * p.s_y
            assert abs(np.log(res.rate[0]) - log_d) <= tolerance
    elastic_trial = integrate(p.replace(s_y=1e12), eps, np.zeros(6), [chi], 1.0).stress[0]
    assert equivalent_shear_stress(res.stress[0]) <= equivalent_shear_stress(elastic_trial) * (
        1 + 1e-12
    )


@pytest.mark.parametrize("beta", [0.0, 0.05, 0.15])
def test_plastic_volume_change_is_two_beta_d(beta):
    """tr Δεᵖ = 2βΔγ = 2βDΔt and the pressure rises by K tr Δεᵖ (confined dilatancy)."""
    p = VIT.replace(alpha=0.1, beta=beta)
    eps = strain_with(p, 1.05, volumetric=-2e-3, seed=5)
    dt = 1e-2
    res = integrate(p, eps, np.zeros(6), [650.0], dt)
    volume = res.plastic_strain[0, :3].sum()
    assert res.rate[0] > 0.0
    assert volume == pytest.approx(2.0 * beta * res.rate[0] * dt, rel=1e-12, abs=1e-18)
    assert pressure(res.stress[0]) == pytest.approx(p.K * (2e-3 + volume), rel=1e-12)


def test_driver_plastic_volume_is_beta_times_plastic_shear():
    """0-D uniaxial compression: tr εᵖ = β × the engineering plastic shear strain ∫2D dt."""
    from stz_fem.material_point import Loading, StepLimits, run

    p = VIT.replace(alpha=0.1, beta=0.1)
    curve = run(p, Loading("uniaxial-compression", rate=1e-3, strain=0.04), StepLimits())
    assert curve["plastic_strain"][-1] > 0.01
    np.testing.assert_allclose(curve["plastic_volume_strain"],
                               0.1 * curve["plastic_strain"], rtol=1e-9, atol=1e-12)


def test_chi_relaxes_to_chi_inf_exponentially_in_plastic_work():
    """c0 χ̇ = 2Ds̄(χ∞ − χ)/s_y: ln(χ∞ − χ) falls by ∫2Ds̄/(c0 s_y) dt (steady shear, χ0 = 600 K)."""
    from stz_fem.material_point import Loading, StepLimits, run

    curve = run(VIT, Loading("simple-shear", rate=1e-3, strain=0.6), StepLimits(chi=0.1))
    power = 2 * curve["D_per_s"] * curve["sbar_Pa"] / (VIT.c0 * VIT.s_y)
    increments = 0.5 * (power[1:] + power[:-1]) * np.diff(curve["time_s"])
    work = np.concatenate([[0.0], np.cumsum(increments)])
    decay = -np.log((VIT.chi_inf - curve["chi_K"]) / (VIT.chi_inf - VIT.chi0))
    assert work[-1] > 1.0  # more than one e-fold of relaxation
    np.testing.assert_allclose(decay, work, rtol=0.01, atol=1e-3)
    # in steady flow (s̄ ≈ s_y) the e-folding plastic strain is c0
    late = curve["strain"] > 0.2
    slope = np.polyfit(curve["plastic_strain"][late], decay[late], 1)[0]
    assert slope == pytest.approx(1.0 / VIT.c0, rel=0.01)


def test_thermal_relaxation_without_flow_decays_towards_chi_T_with_time_t_r():
    p = VIT.replace(t_r0=10.0, chi_T=450.0, chi0=700.0)
    chi, dt = np.array([700.0]), 1e-2
    for _ in range(1000):
        chi = integrate(p, np.zeros(6), np.zeros(6), chi, dt, with_tangent=False).chi
    assert chi[0] - 450.0 == pytest.approx(250.0 * np.exp(-10.0 / 10.0), rel=1e-3)


@pytest.mark.parametrize("overrides", [{}, {"t_r0": 1e-2, "chi_T": 450.0}], ids=["work", "relax"])
def test_chi_step_is_backward_euler_on_chi_rate(overrides):
    """The update and chi_rate share one χ source: χ − χₙ = Δt·χ̇(D, s̄, χ) at the step's end."""
    from stz_fem.material import chi_rate

    p = VIT.replace(**overrides)
    eps, chi_n, dt = strain_with(p, 1.1, 0.0, seed=5), 650.0, 1e-3
    res = integrate(p, eps, np.zeros(6), [chi_n], dt)
    assert res.rate[0] > 0.0
    sbar = equivalent_shear_stress(res.stress[0])
    expected = dt * chi_rate(p, res.rate[0], sbar, res.chi[0])
    assert res.chi[0] - chi_n == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("rate_term", ["eyring", "johnson-samwer"])
@pytest.mark.parametrize(("tau_over_sy", "dt"), [(2.0, 10.0), (5.0, 1.0)],
                         ids=["flowing", "fast-flowing"])
def test_tangent_with_configurational_softening_matches_central_differences(
        rate_term, tau_over_sy, dt):
    # the softened stress scale adds k_χτ·∂log D/∂τ/T_Z to ∂log D/∂χ, which the return's
    # dependence on the trial stress carries through χ(Δγ) (steps that raise χ by > 10 K:
    # leaving that term out is then a 1e-2 error)
    p = VIT.replace(rate_term=rate_term, k_chi=40.0, chi_s=650.0)
    eps = strain_with(p, tau_over_sy, volumetric=-3e-3, seed=5)
    res = integrate(p, eps, np.zeros(6), [640.0], dt)
    h = 1e-8 * np.abs(eps).max()
    fd = np.column_stack([
        (integrate(p, eps + h * e, np.zeros(6), [640.0], dt).stress[0]
         - integrate(p, eps - h * e, np.zeros(6), [640.0], dt).stress[0]) / (2 * h)
        for e in np.eye(6)])
    assert res.rate[0] > 0.0
    assert res.chi[0] > 650.0
    assert np.abs(res.tangent[0] - fd).max() <= 1e-6 * np.abs(fd).max()
