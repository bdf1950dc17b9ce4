"""What specimens declare and stz_fem.postprocess.specimen_results computes from it: summary.json's
specimen_results, the bands on a tensile surface and run.png's load curve."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from stz_fem.postprocess.specimen_results import (
    load_curve,
    specimen_results,
    surface_bands,
    tensile_profile,
)

CASES = Path(__file__).resolve().parents[2] / "cases"


def specimen(name: str):
    from stz_fem.specimens import load_case  # dolfinx: only when a test needs a specimen

    return load_case(tomllib.loads((CASES / f"{name}.toml").read_text()))


def synthetic_curve(columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A curve whose stress peaks at sample 3 and whose load columns fall once, fast (over
    1 % of a step), at sample 4 (by 10 %, the stress by 1/6), with plastic flow from sample 2
    on; the displacement columns advance with the nominal strain."""
    load = np.array([0.0, 1.0, 2.0, 3.0, 2.7, 3.5])
    strain = 0.01 * np.array([0.0, 1.0, 2.0, 3.0, 3.01, 4.0])
    curve = {"nominal_strain": strain,
             "mean_stress_Pa": np.array([0.0, 1.0, 2.0, 3.0, 2.5, 2.0]) * 1e9,
             "max_D_per_s": np.array([0.0, 0.0, 1e-4, 1e-3, 1e-2, 1e-2])}
    for k, column in enumerate(columns):
        curve[column] = load * 10.0 ** (k - 3)
        if column.endswith("displacement_m") or column == "depth_m":
            curve[column] = strain * 10.0 ** (k - 3)
    return curve


@pytest.mark.parametrize(("name", "keys"), [
    ("four_point_bending", ["max_force_N_per_m", "peak_nominal_stress_Pa",
                            "peak_nominal_strain", "load_drops"]),
    ("pure_bending", ["max_moment_N", "peak_nominal_stress_Pa", "peak_nominal_strain",
                      "load_drops"]),
    ("indentation_cylinder", ["plasticity_onset_depth_m", "plasticity_onset_force_N_per_m",
                              "max_force_N_per_m", "load_drops"]),
    ("indentation_sphere_3d", ["plasticity_onset_depth_m", "plasticity_onset_force_N",
                               "max_force_N", "load_drops"]),
    ("notched_tension", ["plastic_zone_m", "plastic_zone_at_peak_stress_m",
                         "peak_nominal_stress_Pa", "peak_nominal_strain", "load_drops"]),
    ("uniaxial_bar", ["peak_nominal_stress_Pa", "peak_nominal_strain", "load_drops"]),
    ("shear_strip", ["load_drops"]),
])
def test_specimen_results_report_what_the_specimen_declares(name, keys):
    spec = specimen(name)
    curve = synthetic_curve(spec.load_columns)
    results = specimen_results(spec, curve)
    assert list(results) == keys
    if "peak_nominal_stress_Pa" in results and not name.endswith("bending"):
        assert results["peak_nominal_stress_Pa"] == 3e9
        assert results["peak_nominal_strain"] == pytest.approx(0.03)
    position, force = spec.curve_results.load_drops
    drop = 1.0 / 6.0 if force == "mean_stress_Pa" else 0.1
    assert results["load_drops"] == [
        {position: curve[position][4], "relative_drop": pytest.approx(drop)}]
    if name == "indentation_cylinder":
        assert results["plasticity_onset_depth_m"] == curve["depth_m"][2]
        assert results["max_force_N_per_m"] == curve["force_N_per_m"][5]
    if name == "notched_tension":
        assert results["plastic_zone_m"] == curve["plastic_zone_m"][-1]
        assert results["plastic_zone_at_peak_stress_m"] == curve["plastic_zone_m"][3]


def test_uniaxial_bar_peaks_in_magnitude_and_elastic_indentation_has_no_onset():
    curve = synthetic_curve(())
    curve["mean_stress_Pa"] = -curve["mean_stress_Pa"]
    assert specimen_results(specimen("uniaxial_bar"), curve)["peak_nominal_stress_Pa"] == -3e9
    indentation = specimen("indentation_cylinder")
    curve = synthetic_curve(indentation.load_columns)
    curve["max_D_per_s"][:] = 0.0
    results = specimen_results(indentation, curve)
    assert results["plasticity_onset_depth_m"] is None
    assert results["plasticity_onset_force_N_per_m"] is None


def test_load_curve_in_the_declared_units():
    curve = synthetic_curve(("deflection_m", "force_N_per_m"))
    x, y, x_label, y_label = load_curve(specimen("four_point_bending"), curve)
    np.testing.assert_allclose(x, curve["deflection_m"] * 1e3)
    np.testing.assert_allclose(y, curve["force_N_per_m"] / 1e3)
    assert (x_label, y_label) == ("deflection (mm)", "roller force per unit thickness (kN/m)")
    strip = specimen("shear_strip")
    x, y, x_label, y_label = load_curve(strip, curve)
    assert x is curve["nominal_strain"]
    np.testing.assert_allclose(y, curve["mean_stress_Pa"] / 1e9)
    assert (x_label, y_label) == (strip.strain_label, "mean wall shear stress (GPa)")


def test_bands_are_counted_on_the_tensile_face_only():
    """Three bumps of plastic strain on the tensile face of the pure-bending beam, and a
    stronger one deeper down that the surface profile leaves out."""
    beam = specimen("pure_bending")
    _, start, stop = beam.tensile_surface()
    h = beam.case.mesh.size
    x, y = np.meshgrid(np.arange(start, stop, 0.5 * h), 0.5 * h * (np.arange(40) + 0.5))
    coords = np.column_stack([x.ravel(), y.ravel()])
    centres = start + (stop - start) * np.array([0.2, 0.5, 0.8])
    bumps = 0.05 * np.exp(-0.5 * ((coords[:, :1] - centres) / (2 * h)) ** 2).sum(axis=1)
    strain = np.where(coords[:, 1] < 2 * h, bumps, 0.0)
    strain[(coords[:, 1] > 10 * h) & (np.abs(coords[:, 0]) < 2 * h)] = 1.0
    cells = {"coords": coords, "volume": np.full(len(coords), 0.25 * h * h),
             "plastic_strain": strain}
    found = surface_bands(beam, cells)
    assert found["count"] == 3
    np.testing.assert_allclose(found["positions_m"], centres, atol=h)
    assert found["spacing_m"] == pytest.approx(0.3 * (stop - start), rel=0.05)
    assert tensile_profile(beam, cells)[2] == stop - start
    flat = surface_bands(beam, {**cells, "plastic_strain": 0.001 * bumps})
    assert flat["count"] == 0 and flat["spacing_m"] is None  # below SURFACE_BAND_STRAIN
    assert surface_bands(specimen("shear_strip"), cells) == {}
