"""α and β from synthetic simple-shear runs under held pressures with known α, β."""

from pathlib import Path

import numpy as np
import pytest

from stz_fem import material
from stz_fem.calibration import calibrate
from stz_fem.calibration.config import PressureCurveSpec
from stz_fem.calibration.pressure_analysis import (
    PressureCurve,
    plastic_strains,
    pressure_analysis,
    read_pressure_curve,
)

PARAMS = material.load("cu50zr50")
ALPHA, BETA, TAU_F = 0.12, 0.04, 1.2e9  # flow stress s̄_f = τ_f + α p


def _run(pressure: float, rng: np.random.Generator, noise: float = 0.0) -> PressureCurve:
    """Elastic rise to a flow stress that follows τ = s̄ − αp, then flow; the plastic volume
    grows as β γᵖ and the elastic volume follows p/K (one row per 0.001 of strain). ``noise``:
    relative noise of the stress, GPa of the pressure and 1 % of it on the volume."""
    spec = PressureCurveSpec(path=Path(f"p{pressure:g}.csv"), strain_column="g",
                             stress_column="s", rate=1e10, temperature=PARAMS.T)
    strain = np.linspace(0.0005, 0.2495, 250)
    stress = np.minimum(PARAMS.G * strain, TAU_F + ALPHA * pressure)
    p = pressure + noise * 1e9 * rng.normal(size=strain.size)
    plastic = strain - stress / PARAMS.G
    # plus a non-linear elastic dilation 0.5 (σ₁₂/G)² (about the MD one), not part of β
    elastic = 0.5 * (stress / PARAMS.G) ** 2
    volume = 3.6e4 * np.exp(BETA * plastic + elastic - (p - pressure) / PARAMS.K
                            + 0.01 * noise * rng.normal(size=strain.size))
    measured = stress * (1.0 + noise * rng.normal(size=strain.size))
    return PressureCurve(spec, strain, measured, measured, p, volume)


def test_exact_runs_recover_alpha_and_beta():
    rng = np.random.default_rng(0)
    runs = [_run(p, rng) for p in (-1e9, 0.0, 0.5e9, 1e9, 2e9)]
    (group,) = pressure_analysis(runs, PARAMS, window=0.05, dilatancy_from=0.02)
    assert group["alpha"] == pytest.approx(ALPHA, rel=1e-9)
    assert group["alpha_peak"] == pytest.approx(ALPHA, rel=1e-9)
    assert group["flow_stress_at_zero_pressure_Pa"] == pytest.approx(TAU_F, rel=1e-9)
    assert group["beta"] == pytest.approx(BETA, rel=1e-6)
    assert group["dbeta_dp_per_Pa"] == pytest.approx(0.0, abs=1e-15)
    assert all(r["beta_flow"] == pytest.approx(BETA, rel=1e-6) for r in group["runs"])
    assert all(r["beta_secant"] > 1.05 * BETA for r in group["runs"])  # elastic dilation in


def test_noisy_runs_recover_alpha_and_beta_within_their_standard_errors():
    rng = np.random.default_rng(1)
    runs = [_run(p, rng, noise=0.03) for p in (-1e9, 0.0, 0.0, 0.5e9, 1e9, 2e9, 2e9)]
    (group,) = pressure_analysis(runs, PARAMS, window=0.05, dilatancy_from=0.02)
    assert 0.0 < group["alpha_error"] < 0.5 * ALPHA
    assert abs(group["alpha"] - ALPHA) < 3.0 * group["alpha_error"]
    assert 0.0 < group["beta_error"] < 0.5 * BETA
    assert abs(group["beta"] - BETA) < 3.0 * group["beta_error"]


def test_elastic_volume_change_is_not_dilatancy():
    """A run that only compresses elastically (no plastic shear) has no plastic volume."""
    rng = np.random.default_rng(2)
    run = _run(1e9, rng)
    squeezed = PressureCurve(run.spec, run.strain, 0.0 * run.strain, 0.0 * run.strain,
                             np.linspace(1e9, 2e9, run.strain.size),
                             3.6e4 * np.exp(-np.linspace(0.0, 1e9, run.strain.size) / PARAMS.K))
    shear, volumetric = plastic_strains(squeezed, PARAMS.G, PARAMS.K)
    np.testing.assert_allclose(volumetric, 0.0, atol=1e-12)
    np.testing.assert_allclose(shear, run.strain)


def test_one_pressure_gives_beta_but_no_alpha():
    rng = np.random.default_rng(3)
    runs = [_run(1e9, rng), _run(1e9, rng)]
    (group,) = pressure_analysis(runs, PARAMS, window=0.05, dilatancy_from=0.02)
    assert group["beta"] == pytest.approx(BETA, rel=1e-6)
    assert "alpha" not in group and "pressure" in group["warning"]


def test_reads_the_md_driver_table(tmp_path):
    header = ("engineering_shear_strain,shear_stress_Pa,temperature_K,pe_per_atom_eV,"
              "pressure_Pa,equivalent_shear_stress_Pa,volume_A3")
    rows = [f"{g:.3f},{1e9 * g / 0.1:.6e},300.0,-4.8,1.0e9,{1e9 * g / 0.1:.6e},{36000 + g:.3f}"
            for g in np.linspace(0.0, 0.1, 11)]
    path = tmp_path / "run.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    spec = PressureCurveSpec(path=path, strain_column="engineering_shear_strain",
                             stress_column="shear_stress_Pa", rate=1e10, temperature=300.0)
    curve = read_pressure_curve(spec)
    assert curve.strain.size == 11 and curve.pressure[0] == 1e9
    assert curve.volume[-1] == pytest.approx(36000.1)


def test_calibrate_reports_alpha_and_beta_and_plots_them(tmp_path):
    rng = np.random.default_rng(4)
    header = "gamma,tau,pressure_Pa,equivalent_shear_stress_Pa,volume_A3"
    tables = ""
    for k, pressure in enumerate((0.0, 1e9, 2e9)):
        run = _run(pressure, rng)
        columns = [run.strain, run.shear_stress, run.pressure, run.equivalent_stress, run.volume]
        np.savetxt(tmp_path / f"p{k}.csv", np.column_stack(columns), delimiter=",",
                   header=header, comments="")
        tables += (f'\n[[pressure_curves]]\npath = "p{k}.csv"\nstrain_column = "gamma"\n'
                   f'stress_column = "tau"\nrate = 1e10\n')
    (tmp_path / "fit.csv").write_text("gamma,tau\n0,0\n0.01,2e8\n0.02,4e8\n0.03,5e8\n")
    (tmp_path / "config.toml").write_text(f"""
[material]
preset = "cu50zr50"

[free.chi0]
bounds = [300.0, 900.0]

[analyses]
pressure = true

[fit]
max_evaluations = 5

[[curves]]
path = "fit.csv"
strain_column = "gamma"
stress_column = "tau"
loading = "simple-shear"
rate = 1e8
{tables}""")
    report = calibrate(tmp_path / "config.toml", tmp_path / "out")
    (group,) = report["analyses"]["pressure"]
    assert group["alpha"] == pytest.approx(ALPHA, rel=1e-6)
    assert group["beta"] == pytest.approx(BETA, rel=1e-6)
    assert (tmp_path / "out" / "pressure.png").stat().st_size > 10_000
