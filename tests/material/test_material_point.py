"""Material-point driver physics and the `stz-fem point` command."""

import numpy as np
import pytest

from stz_fem.cli import main
from stz_fem.material import load
from stz_fem.material_point import Loading, read_curve, run

VIT = load("vitreloy1")


def peak_over_sy(chi0):
    curve = run(VIT.replace(chi0=chi0), Loading("simple-shear", rate=1e-3, strain=0.2))
    return curve["stress_Pa"].max() / VIT.s_y, curve["stress_Pa"][-1] / VIT.s_y


def test_annealed_glass_overshoots_and_softens_towards_s_y():
    peak, end = peak_over_sy(600.0)
    assert 1.10 <= peak <= 1.15
    assert 1.0 < end < peak - 0.1


def test_rejuvenation_removes_the_overshoot_monotonically():
    peaks = [peak_over_sy(chi0)[0] for chi0 in (600.0, 620.0, 640.0, 660.0, 680.0)]
    assert np.all(np.diff(peaks) < 0.0)
    assert peaks[-1] < 1.02


@pytest.mark.parametrize("plane_strain", [False, True])
def test_uniaxial_elastic_slope_and_isochoric_flow(plane_strain):
    curve = run(VIT, Loading("uniaxial-tension", rate=1e-3, strain=0.08, plane_strain=plane_strain))
    modulus = VIT.E / (1 - VIT.nu**2) if plane_strain else VIT.E
    assert curve["stress_Pa"][1] / curve["strain"][1] == pytest.approx(modulus, rel=1e-9)
    # uniaxial stress state: s̄ = σ11/√3 and p = −σ11/3 without plane strain
    if not plane_strain:
        np.testing.assert_allclose(curve["sbar_Pa"], curve["stress_Pa"] / np.sqrt(3), rtol=1e-9)
        np.testing.assert_allclose(curve["pressure_Pa"], -curve["stress_Pa"] / 3, rtol=1e-9)
    compression = run(VIT, Loading("uniaxial-compression", rate=1e-3, strain=0.08,
                                   plane_strain=plane_strain))
    np.testing.assert_allclose(compression["stress_Pa"], curve["stress_Pa"], rtol=1e-9)


def test_creep_below_s_y_stays_elastic_and_above_it_flows():
    below = run(VIT, Loading("creep", stress=0.95 * VIT.s_y, strain=0.1, duration=1e5))
    assert below["time_s"][-1] == pytest.approx(1e5)
    assert below["strain"][-1] == pytest.approx(0.95 * VIT.s_y / VIT.G, rel=1e-9)
    above = run(VIT.replace(chi0=680.0), Loading("creep", stress=1.05 * VIT.s_y, strain=0.1))
    assert above["strain"][-1] >= 0.1
    assert np.all(np.diff(above["strain"]) >= 0.0)


def test_cli_point_writes_curve_and_plot(tmp_path, capsys):
    assert main(["point", "vitreloy1", "--strain", "0.05", "--chi0", "620", "--out",
                 str(tmp_path)]) == 0
    curve = read_curve(tmp_path / "curve.csv")
    assert {"strain", "stress_Pa", "chi_K", "plastic_strain", "time_s"} <= set(curve)
    assert curve["strain"][-1] == pytest.approx(0.05)
    assert curve["chi_K"][0] == 620.0
    assert (tmp_path / "curve.png").stat().st_size > 10_000
    assert "wrote" in capsys.readouterr().out


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys):
    assert main(["point", "vitreloy1", "--chi0", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "stz-fem: error: material.chi0 = -1.0: must be > 0 (K)"
