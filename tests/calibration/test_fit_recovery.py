"""The curve fit recovers known parameters from noisy synthetic material-point curves."""

import json

import numpy as np
import pytest

from stz_fem import material
from stz_fem.calibration import calibrate
from stz_fem.material_point import Loading, run

TRUE = {"chi0": 520.0, "c0": 0.3, "chi_inf": 1500.0}
RATES = (1e7, 1e9)
NOISE = 0.003  # standard deviation relative to the peak
STRAIN = 0.5


def _write_curve(path, params, rate, rng):
    """A material-point curve on a uniform strain grid with Gaussian noise (NOISE × peak)."""
    curve = run(params, Loading(kind="simple-shear", rate=rate, strain=STRAIN))
    strain = np.linspace(0.0, STRAIN, 201)
    stress = np.interp(strain, curve["strain"], curve["stress_Pa"])
    stress += rng.normal(0.0, NOISE * stress.max(), strain.size)
    header = "gamma,tau_GPa"
    # GPa on file, so the config's stress_scale is exercised
    np.savetxt(path, np.column_stack([strain, stress / 1e9]), delimiter=",", header=header,
               comments="")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("fit")
    truth = material.load("cu50zr50").replace(**TRUE)
    rng = np.random.default_rng(7)
    curves = ""
    for k, rate in enumerate(RATES):
        _write_curve(root / f"c{k}.csv", truth, rate, rng)
        curves += f"""
[[curves]]
path = "c{k}.csv"
strain_column = "gamma"
stress_column = "tau_GPa"
stress_scale = 1e9
loading = "simple-shear"
rate = {rate!r}
temperature = 100.0
strain_window = [0.0, {STRAIN}]
"""
    (root / "config.toml").write_text(f"""
[material]
preset = "cu50zr50"

[free.chi0]
bounds = [300.0, 900.0]
initial = 450.0

[free.c0]
bounds = [0.1, 3.0]
initial = 0.4

[free.chi_inf]
bounds = [800.0, 3000.0]
initial = 1300.0
log = true
{curves}""")
    report = calibrate(root / "config.toml", root / "out")
    return root, report


def test_recovers_parameters_within_2_percent(fitted):
    _, report = fitted
    for name, value in TRUE.items():
        got = report["parameters"][name]["value"]
        assert got == pytest.approx(value, rel=0.02), name


def test_report_statistics_are_consistent(fitted):
    root, report = fitted
    # the RMS must be about the noise level and R² near one
    assert 0.8 * NOISE < report["rms_relative_to_peak"] < 1.2 * NOISE
    assert report["r2"] > 0.99
    assert [c["path"] for c in report["curves"]] == [str(root / "c0.csv"), str(root / "c1.csv")]
    for c in report["curves"]:
        assert c["rms_relative_to_peak"] < 0.01
    for name, value in TRUE.items():
        entry = report["parameters"][name]
        # the truth lies within a few standard errors of the estimate
        assert 0.0 < entry["standard_error"] < 0.05 * value
        assert abs(entry["value"] - value) < 5.0 * entry["standard_error"] + 0.002 * value
    matrix = np.array(report["correlation"]["matrix"])
    assert np.allclose(np.diag(matrix), 1.0) and np.allclose(matrix, matrix.T)
    assert json.loads((root / "out" / "report.json").read_text())["r2"] == report["r2"]


def test_outputs_load_back(fitted):
    root, report = fitted
    params = material.load(root / "out" / "material.toml")
    assert params.chi0 == report["parameters"]["chi0"]["value"]
    assert params.T == 100.0
    for name in ("fit.png", "residuals.png", "correlation.png"):
        assert (root / "out" / name).stat().st_size > 1000
