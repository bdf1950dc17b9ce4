"""Notched bar in tension: plastic flow starts and concentrates at the notch roots."""

from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.errors import InputError
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[2] / "cases" / "notched_tension.toml"
COARSE = ["mesh.size=0.25e-3", "mesh.grading=8.0", "loading.end_strain=0.02",
          "output.fields=false", "initial_chi.kind=uniform"]


def test_plastic_strain_peaks_at_a_notch_root(tmp_path, monkeypatch):
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    data = read_case(CASE, COARSE)
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
        cells = sim.fields.gather(sim.fields.averages())
    g = summary["case"]["geometry"]
    roots = np.array([[g["notch_depth"], g["length"] / 2],
                      [g["width"] - g["notch_depth"], g["length"] / 2]])
    hottest = cells["coords"][np.argmax(cells["plastic_strain"])]
    assert np.min(np.linalg.norm(roots - hottest, axis=1)) < 2 * g["notch_radius"]
    assert cells["plastic_strain"].max() > 0.05
    # the bar far from the notches stays elastic
    far = np.abs(cells["coords"][:, 1] - g["length"] / 2) > 0.4 * g["length"]
    assert cells["plastic_strain"][far].max() < 1e-3
    # the reported plastic zone grows from the roots and stays near them
    zone = summary["specimen_results"]["plastic_zone_m"]
    assert g["notch_radius"] < zone < 0.5 * g["length"]
    curve = np.genfromtxt(tmp_path / "curve.csv", delimiter=",", names=True)
    assert curve["plastic_zone_m"][0] == 0.0 and np.all(np.diff(curve["plastic_zone_m"]) >= 0)


def test_notch_geometry_is_checked(tmp_path):
    data = read_case(CASE, [*COARSE, "geometry.notch_depth=6e-3"])
    with pytest.raises(InputError, match="ligament"):
        Simulation(data, tmp_path, MPI.COMM_SELF)


def test_annealed_bar_localizes_earlier_than_rejuvenated(tmp_path, monkeypatch):
    """χ₀ = 600 K against 680 K at 0.2 mm (benchmarks/notched_annealing.py, docs/validation.md):
    the annealed bar's onset comes first (the rejuvenated one has none by 3 %), after less
    plastic work, and its flow stays more concentrated."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    runs = {}
    for chi0 in (600.0, 680.0):
        data = read_case(CASE, ["mesh.size=0.2e-3", "loading.end_strain=0.03",
                                "output.fields=false", f"material.chi0={chi0}"])
        with Simulation(data, tmp_path / f"chi{chi0:g}", MPI.COMM_SELF) as sim:
            summary = sim.run(progress=False)
        curve = np.genfromtxt(tmp_path / f"chi{chi0:g}" / "curve.csv", delimiter=",",
                              names=True)
        runs[chi0] = summary["bands"], curve
    (annealed, a_curve), (rejuvenated, r_curve) = runs[600.0], runs[680.0]
    assert annealed["onset_nominal_strain"] is not None
    later = rejuvenated["onset_nominal_strain"]
    assert later is None or later > annealed["onset_nominal_strain"]
    if later is not None:
        assert rejuvenated["plastic_work_before_onset_J"] > annealed["plastic_work_before_onset_J"]

    def at_peak(curve, key):
        return curve[key][np.argmax(curve["mean_stress_Pa"])]

    assert at_peak(a_curve, "plastic_work_J") < at_peak(r_curve, "plastic_work_J")
    assert at_peak(a_curve, "mean_stress_Pa") > at_peak(r_curve, "mean_stress_Pa")

    def at_2_percent(curve):
        return np.interp(0.02, curve["nominal_strain"], curve["localization_index"])

    assert at_2_percent(a_curve) > at_2_percent(r_curve) + 0.1


def test_a_nanometre_bar_is_the_millimetre_bar_scaled(tmp_path, monkeypatch):
    """OpenCASCADE's fixed tolerance breaks nm geometry drawn in m; it is drawn in µm and the
    mesh scaled back, so a bar 1e6 times smaller has the same mesh 1e6 times smaller."""
    from stz_fem.specimens import load_case

    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    keys = ("width", "length", "notch_depth", "notch_radius")
    mm = read_case(CASE, COARSE)
    nm = read_case(CASE, [*COARSE, "mesh.size=0.25e-9", *(
        f"geometry.{k}={mm['geometry'][k] * 1e-6!r}" for k in keys)])
    small, large = (load_case(c).build(MPI.COMM_SELF).mesh.geometry.x for c in (nm, mm))
    assert small.shape == large.shape
    np.testing.assert_allclose(small * 1e6, large, atol=1e-9 * mm["geometry"]["width"])
