"""Rigid-cylinder indentation with penalty contact: Hertz's elastic line contact."""

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.fem.contact import evaluate, hertz_cylinder_half_width, hertz_sphere_force
from stz_fem.material import load
from stz_fem.material_point import read_curve
from stz_fem.simulation import Simulation

ELASTIC = {
    "specimen": "indentation",
    "mesh": {"size": 10e-6, "grading": 20.0, "degree": 2},
    # s_y far above the contact pressures: the block stays elastic
    "material": {"preset": "vitreloy1", "s_y": 1e12},
    "loading": {"indenter_velocity": 1e-6, "end_depth": 4e-6},
    "output": {"interval": 1e-3, "fields": False},
}


def test_elastic_cylinder_contact_follows_hertz(tmp_path, monkeypatch):
    """a = √(4PR/(πE*)) within 2 % from the pressure's moments, and the measured contact
    length within 1.5 elements of 2a, at every step (a from 19 to 42 µm, 2–4 elements)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    with Simulation(ELASTIC, tmp_path / "run", MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
        contact = sim.setup.contact
        values = evaluate(contact.forms(sim.solver.u, sim.solver.time_constant), MPI.COMM_SELF)
    p = load("vitreloy1")
    nu = (3 * p.K - 2 * p.G) / (2 * (3 * p.K + p.G))
    e_star = p.E / (1 - nu**2)
    curve = read_curve(tmp_path / "run" / "curve.csv")
    assert curve["step"].size >= 4 and curve["depth_m"][-1] == pytest.approx(4e-6)
    for force, half_width in zip(curve["force_N_per_m"], curve["contact_half_width_m"],
                                 strict=True):
        assert half_width == pytest.approx(hertz_cylinder_half_width(force, 1e-3, e_star),
                                           rel=0.02)
    final_a = hertz_cylinder_half_width(curve["force_N_per_m"][-1], 1e-3, e_star)
    assert abs(values["area"] - 2 * final_a) < 1.5 * 10e-6
    assert np.all(np.diff(curve["force_N_per_m"]) > 0)
    assert summary["specimen_results"]["plasticity_onset_depth_m"] is None
    assert summary["specimen_results"]["load_drops"] == []


def test_elastic_sphere_contact_follows_hertz(tmp_path, monkeypatch):
    """3-D quarter model with symmetry planes: P = (4/3)E*√R d^{3/2} within 5 % and the
    contact radius √(Rd) within 3 % at every step (a = 16–32 µm, 2–4 elements; the clamped
    block 30a deep stiffens it by ~3 %)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    case = {
        "specimen": "indentation",
        "geometry": {"dimension": 3, "width": 2e-3, "height": 1e-3, "indenter_radius": 1e-3,
                     "refine_radius": 30e-6},
        "mesh": {"size": 8e-6, "grading": 25.0, "degree": 2},
        "material": {"preset": "vitreloy1", "s_y": 1e12},
        "loading": {"indenter_velocity": 1e-6, "end_depth": 1e-6},
        "output": {"interval": 2.5e-4, "fields": False},
    }
    with Simulation(case, tmp_path / "run", MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
    p = load("vitreloy1")
    nu = (3 * p.K - 2 * p.G) / (2 * (3 * p.K + p.G))
    e_star = p.E / (1 - nu**2)
    curve = read_curve(tmp_path / "run" / "curve.csv")
    depth = curve["depth_m"]
    assert curve["step"].size >= 4 and depth[-1] == pytest.approx(1e-6)
    np.testing.assert_allclose(curve["force_N"], [hertz_sphere_force(d, 1e-3, e_star)
                                                  for d in depth], rtol=0.05)
    np.testing.assert_allclose(curve["contact_radius_m"], np.sqrt(1e-3 * depth), rtol=0.03)
    assert summary["specimen_results"]["plasticity_onset_depth_m"] is None
