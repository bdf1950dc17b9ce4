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


def _curve(rate, temperature, stress):
    """A data curve: elastic rise to its peak, then flow at ``stress[1]`` (Pa)."""
    from pathlib import Path

    from stz_fem.calibration.config import CurveSpec
    from stz_fem.calibration.curves import DataCurve

    spec = CurveSpec(path=Path("synthetic.csv"), strain_column="g", stress_column="s",
                     loading="simple-shear", rate=rate, temperature=temperature,
                     strain_window=(0.0, 0.3), where="curves[0]")
    strain = np.linspace(0.0, 0.3, 301)
    peak, flow = stress
    values = np.where(strain < 0.05, peak * strain / 0.05, flow)
    values[50] = peak
    return DataCurve(spec, strain, values)


def test_rate_analyses_of_the_calibration_curves():
    """[analyses] in a calibration config: JS per rate (peaks against T) and Eyring per
    temperature (flow stresses against rate) recover the coefficients the data were made with."""
    from stz_fem.calibration.config import Analyses
    from stz_fem.calibration.eyring import BOLTZMANN
    from stz_fem.calibration.rate_analyses import rate_analyses

    params = material.load("cu50zr50").replace(T_Z=2000.0)  # attempt rate above the test rates
    v_star = 3e-28
    curves = []
    for T in (100.0, 300.0, 500.0):
        peak = params.G * (0.036 - 0.016 * (T / params.Tg) ** (2 / 3))
        for rate in (1e8, 1e9, 1e10):
            flow = 0.2e9 + BOLTZMANN * T / v_star * np.log(rate / 1e8)  # below the peaks
            curves.append(_curve(rate, T, (peak, flow)))
    report = rate_analyses(curves, params, Analyses(johnson_samwer=True, eyring=True))
    assert [e["rate_per_s"] for e in report["johnson_samwer"]] == [1e8, 1e9, 1e10]
    for entry in report["johnson_samwer"]:
        assert entry["gamma_C0"] == pytest.approx(0.036, rel=1e-9)
        assert entry["gamma_C1"] == pytest.approx(0.016, rel=1e-9)
        assert entry["W0_K"] > 0.0
    assert [e["temperature_K"] for e in report["eyring"]] == [100.0, 300.0, 500.0]
    for entry in report["eyring"]:
        assert entry["V_star_m3"] == pytest.approx(v_star, rel=1e-9)
    assert rate_analyses(curves, params, Analyses()) == {}
    slow = rate_analyses(curves, params.replace(T_Z=21000.0), Analyses(johnson_samwer=True))
    assert all(e["W0_K"] is None and "attempt rate" in e["warning"]
               for e in slow["johnson_samwer"])


def test_energy_map_from_the_curves_energies():
    """energy_map: the first energy ↔ χ₀ and the flow-window mean ↔ χ∞ give β and U₀."""
    from dataclasses import replace

    from stz_fem.calibration.config import Analyses
    from stz_fem.calibration.rate_analyses import rate_analyses

    params = material.load("cu50zr50")
    beta, u0 = 8.0, -3.3625
    curve = _curve(1e8, 100.0, (1.5e9, 0.9e9))
    chi = np.where(curve.strain < 0.2, params.chi0, params.chi_inf)
    with_energy = replace(curve, energy=u0 + chi / (beta * params.T_Z))
    report = rate_analyses([with_energy, curve], params, Analyses(energy_map=True))
    (entry,) = report["energy_map"]  # the curve without energies is skipped
    assert entry["beta_per_eV"] == pytest.approx(beta, rel=1e-12)
    assert entry["u0_eV"] == pytest.approx(u0, rel=1e-12)
