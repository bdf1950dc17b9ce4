"""Extreme but valid parameters and states: the local update stays finite (issue 13, item 5).

The kernel never takes log(0), divides by zero or overflows: an increment below 1e-300 (a cold
bath or a huge barrier make D·Δt underflow) is an elastic step, overflowing source terms give
their limits, and only a trial stress that is itself not representable (|s| ≳ 1e154 Pa) gives
the NaN outputs the finite-element solver takes as a failed step.
"""

import numpy as np
import pytest

from stz_fem.material import integrate, load
from stz_fem.material_point import Loading, run

VIT = load("vitreloy1")
OUTPUTS = ("stress", "plastic_strain", "chi", "rate", "tangent")


def shear(gamma, volumetric=1e-3):
    """Simple shear γ (engineering) plus a small volumetric strain, Mandel."""
    eps = np.array([volumetric / 3] * 3 + [0.0, 0.0, gamma / np.sqrt(2.0)])
    return eps


def finite_updates(params, gammas, chis=(300.0, 600.0, 1500.0), dts=(1e-15, 1e-6, 1.0, 1e6)):
    results = []
    for gamma in gammas:
        for chi in chis:
            for dt in dts:
                res = integrate(params, shear(gamma), np.zeros(6), [chi], dt)
                for name in OUTPUTS:
                    assert np.all(np.isfinite(getattr(res, name))), (name, gamma, chi, dt)
                results.append(res)
    return results


GAMMAS = (0.01, 0.0235, 0.024, 0.03, 0.1, 1.0, 1e3, 1e10)


@pytest.mark.parametrize(
    "overrides",
    [
        {"T": 1.0}, {"T": 1e-3}, {"T": 1.0, "rate_term": "johnson-samwer"},
        {"c0": 1e-300}, {"c0": 1e-300, "rate_term": "johnson-samwer"},
        {"Delta": 1e300}, {"rate_term": "johnson-samwer", "W0": 1e300}, {"T_Z": 1e300},
        {"tau0": 1e-300}, {"tau0": 1e300}, {"s_chi": 1e-300}, {"chi_inf": 1e-300},
        {"t_r0": 1e-300}, {"t_r0": 1.0, "E_r": 1e300}, {"alpha": 1e300},
        {"s_y": 1e-300, "s_chi": 1e9},
    ],
    ids=str,
)
def test_extreme_parameters_give_finite_states(overrides):
    finite_updates(VIT.replace(**overrides), GAMMAS)


def test_cold_bath_shears_through_first_yield():
    """T = 1 K used to divide by zero at the first yield: D·Δt underflowed to Δγ = 0."""
    for rate_term in ("eyring", "johnson-samwer"):
        curve = run(VIT.replace(T=1.0, rate_term=rate_term),
                    Loading("simple-shear", rate=1e-3, strain=0.1))
        assert np.all(np.isfinite(curve["stress_Pa"]))
        assert curve["plastic_strain"][-1] > 0.01
        assert curve["chi_K"][-1] > VIT.chi0


def test_huge_barrier_is_elastic():
    for res in finite_updates(VIT.replace(Delta=1e300), GAMMAS[:6]):
        assert res.rate[0] == 0.0


def test_tiny_c0_sends_chi_to_chi_inf_at_the_first_flow():
    res = integrate(VIT.replace(c0=1e-300), shear(0.03), np.zeros(6), [600.0], 1e-3)
    assert res.rate[0] > 0.0
    assert res.chi[0] == pytest.approx(VIT.chi_inf)


def test_overflowing_relaxation_reaches_chi_T():
    p = VIT.replace(t_r0=1e-300, chi_T=450.0)
    res = integrate(p, np.zeros(6), np.zeros(6), [700.0], 1e6)
    assert res.chi[0] == 450.0


def test_unrepresentable_trial_stress_flags_the_point_with_nan():
    """Stress beyond ~1e154 Pa: NaN outputs (a NaN residual fails the FE step), not a crash;
    the other points are updated as usual."""
    eps = np.stack([shear(1e300), shear(0.01)])
    res = integrate(VIT, eps, np.zeros((2, 6)), [600.0, 600.0], 1.0)
    for name in OUTPUTS:
        assert np.all(np.isnan(getattr(res, name)[0])), name
        assert np.all(np.isfinite(getattr(res, name)[1])), name
