"""Plane-strain bar between frictionless platens: homogeneous elasticity, the tension–
compression asymmetry of α, and an X of bands at 45° through a χ bump."""

from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem import bands
from stz_fem.cases import read_case
from stz_fem.material import load
from stz_fem.material_point import read_curve
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[2] / "cases" / "uniaxial_bar.toml"
COARSE = ["mesh.size=0.5e-3", "output.fields=false"]


def run(tmp_path, name, overrides):
    data = read_case(CASE, [*COARSE, *overrides])
    with Simulation(data, tmp_path / name, MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
        cells = sim.fields.gather(sim.fields.averages())
    return summary, read_curve(tmp_path / name / "curve.csv"), cells


def test_elastic_bar_is_homogeneous(tmp_path, monkeypatch):
    """σ_yy = −E/(1 − ν²)·ε exactly (plane strain, free sides, frictionless platens)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    _, curve, _ = run(tmp_path, "elastic", ["material.s_y=1e12", "loading.end_strain=0.004"])
    p = load("vitreloy1")
    nu = (3 * p.K - 2 * p.G) / (2 * (3 * p.K + p.G))
    np.testing.assert_allclose(curve["mean_stress_Pa"] / curve["nominal_strain"],
                               -p.E / (1 - nu**2), rtol=1e-8)


def test_pressure_sensitivity_makes_compression_stronger(tmp_path, monkeypatch):
    """With α = 0.1 the peak stress is higher in compression than in tension (τ = s̄ − αp)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    peaks = {}
    for mode in ("compression", "tension"):
        _, curve, _ = run(tmp_path, mode, ["material.alpha=0.1", "loading.end_strain=0.025",
                                           f"loading.mode={mode}", "initial_chi.kind=uniform"])
        peaks[mode] = np.abs(curve["mean_stress_Pa"]).max()
    assert 1.1 < peaks["compression"] / peaks["tension"] < 1.3


def test_bands_cross_at_the_bump_at_45_degrees(tmp_path, monkeypatch):
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    summary, _, cells = run(tmp_path, "band", ["loading.end_strain=0.07"])
    centre = np.asarray(summary["bands"]["centre_m"])
    assert np.hypot(*(centre - [0.0, 0.01])) < 0.5e-3
    assert summary["bands"]["localization_index"] > 0.3
    angles = bands.crossing_band_angles(cells["coords"], cells["volume"], cells["D_per_s"],
                                        centre, 2.0 * summary["bands"]["width_m"])
    assert angles == pytest.approx((45.0, 45.0), abs=1.5)
