"""Heating by plastic work at a material point (docs/model.md §3.1): `stz-fem point --adiabatic`."""

import numpy as np
import pytest

from stz_fem.cli import main
from stz_fem.errors import InputError
from stz_fem.material import integrate, load, pack, plastic_rate
from stz_fem.material.stz import at_temperature
from stz_fem.material_point import Loading, read_curve, run

VIT = load("vitreloy1")
SHEAR = Loading("simple-shear", rate=1.0, strain=0.2)


def test_adiabatic_rise_equals_the_integrated_plastic_work():
    """T − T₀ = ∫ζ·2Ds̄ dt/(ρc), the integral by the trapezoid rule over the curve's steps."""
    curve = run(VIT, SHEAR, adiabatic=True)
    power = 2.0 * curve["D_per_s"] * curve["sbar_Pa"]
    expected = VIT.heat_fraction * np.trapezoid(power, curve["time_s"]) / (
        VIT.rho * VIT.heat_capacity)
    rise = curve["temperature_K"][-1] - VIT.T
    assert expected > 30.0  # a real rise, not round-off
    assert rise == pytest.approx(expected, rel=1e-3)


def test_heating_changes_the_flow_stress_as_the_rate_factors_say_and_off_is_isothermal():
    """T enters the rate factors: the heated point's flow stress moves the way D(τ, χ; T)
    does at its end state (with the Vitreloy 1 Eyring set W(τ) < 0 above Δk_B/(Ωε₀) =
    0.95 GPa, where heating slows the flow and so raises the stress); without the option the
    curve has no temperature column and is the isothermal one."""
    heated = run(VIT, SHEAR, adiabatic=True)
    cold = run(VIT, SHEAR)
    assert "temperature_K" not in cold
    tau, chi, hot = heated["sbar_Pa"][-1], heated["chi_K"][-1], heated["temperature_K"][-1]
    slower = plastic_rate(VIT.replace(T=hot), tau, chi) < plastic_rate(VIT, tau, chi)
    change = (heated["stress_Pa"][-1] - cold["stress_Pa"][-1]) / VIT.s_y
    assert abs(change) > 1e-3
    assert (change > 0.0) == slower
    no_work = run(VIT.replace(heat_fraction=0.0), SHEAR, adiabatic=True)
    np.testing.assert_array_equal(no_work["stress_Pa"], cold["stress_Pa"])
    np.testing.assert_array_equal(no_work["temperature_K"], VIT.T)


def test_a_point_at_the_bath_temperature_is_the_bath_law_bit_for_bit():
    eps = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.03])
    bath = integrate(VIT, eps, np.zeros(6), [620.0], 1e-2)
    field = integrate(VIT, eps, np.zeros(6), [620.0], 1e-2, temperature=[VIT.T])
    assert bath.rate[0] > 0.0
    for name in ("stress", "plastic_strain", "chi", "rate", "tangent"):
        np.testing.assert_array_equal(getattr(field, name), getattr(bath, name))


def test_the_local_temperature_sets_relaxation_and_its_target():
    """1/t_r(T) = exp(−E_r/T)/t_r0 and χ_T = T unless chi_T is given."""
    p = VIT.replace(t_r0=1e-10, E_r=12000.0)
    law = at_temperature(pack(p), 500.0)
    assert law.T == 500.0 and law.chi_T == 500.0
    assert law.relax_rate == pytest.approx(1.0 / p.replace(T=500.0).relaxation_time, rel=1e-12)
    assert at_temperature(pack(p.replace(chi_T=450.0)), 500.0).chi_T == 450.0


def test_cli_adiabatic_writes_the_temperature_and_needs_the_thermal_parameters(
        tmp_path, capsys):
    assert main(["point", "vitreloy1", "--rate", "1", "--strain", "0.05", "--adiabatic",
                 "--out", str(tmp_path)]) == 0
    curve = read_curve(tmp_path / "curve.csv")
    assert curve["temperature_K"][0] == VIT.T
    assert curve["temperature_K"][-1] > VIT.T
    assert main(["point", "cu50zr50", "--adiabatic", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        'stz-fem: error: material.rho: heating by plastic work needs it (kg/m³); set it or '
        'use preset = "vitreloy1"')
    with pytest.raises(InputError, match=r"heat_fraction = 1\.5: must be ≥ 0 and ≤ 1"):
        VIT.replace(heat_fraction=1.5)
