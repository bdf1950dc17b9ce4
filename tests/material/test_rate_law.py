"""Plastic rate of docs/model.md §2: Eyring limit, steady states, Johnson–Samwer, no overflow."""

import numpy as np
import pytest

from stz_fem.material import load, plastic_rate
from stz_fem.material.rate_terms import K_B
from stz_fem.material_point import Loading, run, steady_flow_stress

VIT = load("vitreloy1")


def test_eyring_limit_with_zero_yield_stress_is_the_sinh_law():
    p = VIT.replace(s_y=0.0, s_chi=0.85e9)
    tau = np.geomspace(1e3, 3e9, 200)
    chi = np.linspace(500.0, 1200.0, 200)
    activation_volume = p.Omega * p.eps0
    expected = (
        np.exp(-p.T_Z / chi) * np.exp(-p.Delta / p.T)
        * np.sinh(activation_volume * tau / (K_B * p.T)) / p.tau0
    )
    np.testing.assert_allclose(plastic_rate(p, tau, chi), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("shear_rate", "ratio"), [(1e-2, 1.00011), (1.0, 1.0092), (1e2, 1.1264), (1e4, 1.338)]
)
def test_vitreloy1_steady_state_at_chi_inf(shear_rate, ratio):
    """docs/model.md §4 checks; also reached by the driver in steady simple shear from χ0 = χ∞."""
    assert steady_flow_stress(VIT, shear_rate) / VIT.s_y == pytest.approx(ratio, rel=1e-4)
    curve = run(VIT.replace(chi0=VIT.chi_inf), Loading("simple-shear", rate=shear_rate, strain=0.3))
    assert curve["chi_K"][-1] == pytest.approx(VIT.chi_inf, rel=1e-14)
    assert curve["sbar_Pa"][-1] / VIT.s_y == pytest.approx(ratio, rel=1e-4)
    assert 2.0 * curve["D_per_s"][-1] == pytest.approx(shear_rate, rel=1e-6)


def test_no_flow_below_the_stz_yield_stress_and_flow_above():
    d = plastic_rate(VIT, np.array([0.0, 0.5, 0.999, 1.001, 2.0]) * VIT.s_y, 700.0)
    assert np.all(d[:3] == 0.0) and np.all(d[3:] > 0.0)


def test_rate_never_overflows_or_nans_over_the_model_range():
    p = load("cu50zr50").replace(T=10.0)
    tau = np.linspace(0.0, 5 * p.s_y, 300)[:, None]
    chi = np.linspace(100.0, 3000.0, 300)[None, :]
    for rate_term in ("eyring", "johnson-samwer"):
        d = plastic_rate(p.replace(rate_term=rate_term), tau, chi)
        assert not np.any(np.isnan(d))
        assert np.all(d >= 0.0)


@pytest.mark.parametrize("fraction", [0.2, 0.35, 0.5, 0.65, 0.8, 0.9])
def test_johnson_samwer_flow_stress_follows_the_two_thirds_law(fraction):
    """s_y = 0, χ held at χ∞, W0 from the consistency formula: τ/G = γC0 − γC1 (T/Tg)^{2/3}."""
    p = VIT.replace(
        rate_term="johnson-samwer", s_y=0.0, s_chi=0.85e9, chi0=VIT.chi_inf, rate_ref=1e-4,
        T=fraction * VIT.Tg,
    )
    curve = run(p, Loading("simple-shear", rate=p.rate_ref, strain=0.12))
    expected = p.gamma_C0 - p.gamma_C1 * fraction ** (2.0 / 3.0)
    assert curve["sbar_Pa"][-1] / p.G == pytest.approx(expected, rel=0.01)
