"""Rigid-cylinder indentation with penalty contact: Hertz's elastic line contact."""

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.fem.contact import evaluate, hertz_cylinder_half_width
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
