"""The fully periodic sheared cell (the continuum twin of an MD box)."""

import json

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cli import main
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import load
from stz_fem.material_point import Loading, run
from stz_fem.simulation import Simulation
from stz_fem.specimens import load_case

CELL = {
    "specimen": "periodic_cell", "mesh": {"size": 0.25e-3, "degree": 2},
    "geometry": {"length": 1e-3, "height": 1e-3},
    "loading": {"shear_rate": 1e-3, "end_strain": 0.06},
}


def test_uniform_cell_follows_the_material_point_driver():
    """With a uniform χ0 the periodic jump imposes homogeneous simple shear exactly."""
    params = load("vitreloy1").replace(chi0=620.0)
    driver = run(params, Loading("simple-shear", rate=1e-3, strain=0.06, plane_strain=True))
    specimen = load_case(CELL)
    setup = specimen.build(MPI.COMM_SELF)
    solver = MechanicsSolver(setup.mesh, params, lambda x: np.full(x.shape[0], params.chi0),
                             prescribed=setup.prescribed, periodic=setup.periodic)
    times = driver["time_s"]
    for k in range(1, len(times)):
        assert solver.solve_step(times[k], times[k] - times[k - 1])[0]
        solver.commit()
        stress = specimen.loads(solver, setup)["mean_stress_Pa"]
        assert stress == pytest.approx(driver["stress_Pa"][k], rel=1e-6, abs=1e-6 * params.s_y)
        np.testing.assert_allclose(solver.state.chi, driver["chi_K"][k], rtol=1e-6)
    assert driver["chi_K"][-1] > params.chi0 + 10.0


def test_energy_map_gives_the_initial_chi(tmp_path):
    """initial_chi from a gridded potential energy: χ = β (U − U₀) T_Z at every point."""
    x = (np.arange(8) + 0.5) * 1e-3 / 8
    energy = -3.36 + 1e-3 * np.sin(2 * np.pi * x / 1e-3)[None, :] * np.ones((8, 1))
    np.savez(tmp_path / "pe.npz", x_m=x, y_m=x, pe=energy)
    case = {**CELL, "material": {"preset": "vitreloy1", "T_Z": 20000.0},
            "initial_chi": {"kind": "grid", "file": str(tmp_path / "pe.npz"), "key": "pe",
                            "energy_beta": 8.0, "energy_u0": -3.3625}}
    with Simulation(case, tmp_path / "run", MPI.COMM_SELF) as sim:
        points = sim.solver.points
        chi = sim.solver.state.chi
    # linear interpolation of a sampled sine: compare with the exact map within its error
    exact = 8.0 * (-3.36 + 1e-3 * np.sin(2 * np.pi * points[:, 0] / 1e-3) + 3.3625) * 20000.0
    assert np.max(np.abs(chi - exact)) < 0.1 * 8.0 * 1e-3 * 20000.0
    assert np.mean(chi) == pytest.approx(8.0 * 0.0025 * 20000.0, rel=1e-2)


def test_energy_map_needs_both_constants(tmp_path, capsys):
    np.savez(tmp_path / "pe.npz", x_m=[0.25e-3, 0.75e-3], y_m=[0.25e-3, 0.75e-3],
             pe=np.zeros((2, 2)))
    case = tmp_path / "case.toml"
    case.write_text('specimen = "periodic_cell"\n[mesh]\nsize = 0.5e-3\n'
                    "[geometry]\nlength = 1e-3\nheight = 1e-3\n"
                    "[loading]\nshear_rate = 1e-3\nend_strain = 0.01\n"
                    '[initial_chi]\nkind = "grid"\nfile = "pe.npz"\nkey = "pe"\n'
                    "energy_beta = 8.0\n")
    assert main(["run", str(case), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "energy_u0" in err


def test_band_through_a_bump_matches_a_gridded_band(tmp_path):
    """stz-fem compare-md: a band forms through a χ bump at y = 0.3 H; against a gridded
    field with a Gaussian band at the same height the centres agree within one grid cell and
    the maps correlate."""
    H = 1e-3
    case = tmp_path / "cell.toml"
    case.write_text(
        'specimen = "periodic_cell"\n[mesh]\nsize = 0.05e-3\ndegree = 1\n'
        f"[geometry]\nlength = {H}\nheight = {H}\n"
        "[loading]\nshear_rate = 0.02\nend_strain = 0.15\n"
        '[material]\npreset = "vitreloy1"\nchi0 = 600.0\nl_chi = 0.05e-3\nT = 400.0\n'
        '[initial_chi]\nkind = "bumps"\n'
        f"bumps = [{{ centre = [{0.5 * H}, {0.3 * H}], amplitude = 200.0, width = {0.05 * H} }}]\n"
        "[output]\ninterval = 0.05\n"
    )
    assert main(["run", str(case), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    n = 16
    centres = (np.arange(n) + 0.5) * H / n
    band = np.exp(-0.5 * ((centres - 0.3 * H) / (0.05 * H)) ** 2)[:, None] * np.ones((1, n))
    strains = np.array([0.0, 0.1, 0.15])
    np.savez(tmp_path / "md.npz", x_m=centres, y_m=centres, nominal_shear_strain=strains,
             shear_strain=np.stack([np.zeros((n, n)), 0.1 * band, 0.15 * band]))
    out = tmp_path / "cmp"
    assert main(["compare-md", str(tmp_path / "run"), "--fields", str(tmp_path / "md.npz"),
                 "--frame", "2", "--out", str(out)]) == 0
    result = json.loads((out / "comparison.json").read_text())
    assert result["fe_nominal_strain"] == pytest.approx(0.15, rel=1e-6)
    assert result["md_band_centre_m"] == pytest.approx(0.3 * H, abs=0.05 * H / n)
    assert abs(result["band_centre_m"] - 0.3 * H) < H / n
    assert result["strain_correlation"] > 0.5
    assert (out / "comparison.png").is_file()
    assert result["material_file"] is None and len(result["frames"]) == 1

    # more frames, which were fitted, and the material file the run used (checked)
    from stz_fem.material import from_mapping, save

    ran = json.loads((tmp_path / "run" / "summary.json").read_text())["case"]["material"]
    save(from_mapping(ran), tmp_path / "material.toml")
    assert main(["compare-md", str(tmp_path / "run"), "--fields", str(tmp_path / "md.npz"),
                 "--frame", "2", "--more-frames", "1", "--fitted-frames", "2",
                 "--material-file", str(tmp_path / "material.toml"), "--out", str(out)]) == 0
    result = json.loads((out / "comparison.json").read_text())
    assert result["material_file"] == str(tmp_path / "material.toml")
    assert [(f["md_frame"], f["fitted"]) for f in result["frames"]] == [(1, False), (2, True)]
    last = result["frames"][1]
    assert last["value"]["correlation"] == pytest.approx(result["strain_correlation"])
    assert set(last["uncertainty"]) == set(last["value"]) == set(result["uncertainty"])
    assert all(u >= 0.0 for u in last["uncertainty"].values())
    save(from_mapping({**ran, "s_y": 2.0 * ran["s_y"]}), tmp_path / "other.toml")
    assert main(["compare-md", str(tmp_path / "run"), "--fields", str(tmp_path / "md.npz"),
                 "--material-file", str(tmp_path / "other.toml"), "--out", str(out)]) == 2


def test_calibrated_material_runs_in_a_case(tmp_path):
    """End to end: the case that uses the material fitted to calibration/data loads it by file
    (relative to the case) and its cell responds with the fitted shear modulus."""
    from pathlib import Path

    from stz_fem.cases import read_case
    from stz_fem.material import load

    root = Path(__file__).resolve().parents[2] / "calibration" / "cuzr"
    fitted = load(root / "md_fit" / "material.toml")
    data = read_case(root / "md_fit_cell.toml", ["mesh.size=5e-9", "loading.end_strain=0.004",
                                                 "output.fields=false"])
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        assert sim.params == fitted
        summary = sim.run(progress=False)
    assert summary["status"] == "completed"
    curve = np.atleast_1d(np.genfromtxt(tmp_path / "curve.csv", delimiter=",", names=True))
    slope = curve["mean_stress_Pa"][0] / curve["nominal_strain"][0]
    assert slope == pytest.approx(fitted.G, rel=1e-3)
