"""Rank independence: 2 ranks give the serial results (run with mpiexec -n 2, `make test`)."""

import csv
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation

pytestmark = pytest.mark.mpi
CASE = Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml"
COARSE = ["mesh.size=2e-3", "mesh.grading=2.0", "loading.end_strain=0.12",
          "output.fields=false"]


def read_curve(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def shared_dir(tmp_path, name):
    """Rank 0's tmp_path on every rank (collective)."""
    return Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0)) / name


def parallel_and_serial(data, tmp_path):
    """Run a case on all ranks, then on each rank alone (collective).

    Returns (parallel summary, serial summary, parallel run dir, this rank's serial run dir).
    """
    world = MPI.COMM_WORLD
    parallel_dir = shared_dir(tmp_path, "parallel")
    with Simulation(data, parallel_dir, world) as sim:
        parallel = sim.run(progress=False)
    serial_dir = tmp_path / f"serial{world.rank}"
    with Simulation(data, serial_dir, MPI.COMM_SELF) as sim:
        serial = sim.run(progress=False)
    return parallel, serial, parallel_dir, serial_dir


def assert_rank_independent(parallel, serial, parallel_dir, serial_dir, column, keys):
    """Same steps and band measures ``keys`` on all ranks and on one, and the same curve
    ``column`` (checked on rank 0); returns the serial summary."""
    assert parallel["steps"] == serial["steps"]
    for key in keys:  # surface band counts exist only for specimens with a tensile face
        expected = serial["bands"].get(key)
        assert parallel["bands"].get(key) == (
            None if expected is None else pytest.approx(expected, rel=1e-6, abs=1e-9))
    if MPI.COMM_WORLD.rank == 0:
        a = read_curve(parallel_dir / "curve.csv")
        b = read_curve(serial_dir / "curve.csv")
        np.testing.assert_allclose(a[column], b[column], rtol=1e-6)
    return serial


def test_strip_curve_and_bands_do_not_depend_on_the_rank_count(tmp_path):
    world = MPI.COMM_WORLD
    assert world.size == 2
    parallel, serial, parallel_dir, serial_dir = parallel_and_serial(
        read_case(CASE, COARSE), tmp_path)
    assert parallel["ranks"] == 2 and serial["ranks"] == 1
    assert parallel["steps"] == serial["steps"]
    if world.rank == 0:
        a = read_curve(parallel_dir / "curve.csv")
        b = read_curve(serial_dir / "curve.csv")
        np.testing.assert_allclose(a["time_s"], b["time_s"], rtol=1e-6)
        np.testing.assert_allclose(a["mean_stress_Pa"], b["mean_stress_Pa"], rtol=1e-6)
        np.testing.assert_allclose(a["max_chi_K"], b["max_chi_K"], rtol=1e-6)
    for key in ("localization_index", "orientation_deg", "width_m", "width_chi_m"):
        assert parallel["bands"][key] == pytest.approx(serial["bands"][key], rel=1e-6, abs=1e-9)
    assert serial["bands"]["localization_index"] > 0.2  # a band was forming


def test_conducting_heat_field_does_not_depend_on_the_rank_count(tmp_path):
    """A conducting temperature field (periodic in x, walls held at 400 K): the same curve and
    peak temperature to 1e-6 on 2 ranks and on 1."""
    data = read_case(CASE, [*COARSE, "loading.end_strain=0.08", 'heat.mode="conducting"',
                            "material.conductivity=18.0",
                            "heat.boundary.top={temperature=400.0}",
                            "heat.boundary.bottom={temperature=400.0}"])
    runs = parallel_and_serial(data, tmp_path)
    assert_rank_independent(*runs, "max_temperature_K", ("localization_index",))
    if MPI.COMM_WORLD.rank == 0:
        a = read_curve(runs[2] / "curve.csv")
        b = read_curve(runs[3] / "curve.csv")
        np.testing.assert_allclose(a["mean_stress_Pa"], b["mean_stress_Pa"], rtol=1e-6)
        assert a["max_temperature_K"][-1] > 410.0  # the band heated


def test_random_initial_field_is_rank_independent(tmp_path):
    world = MPI.COMM_WORLD
    data = read_case(CASE, [*COARSE, "initial_chi.kind=random", "initial_chi.std=30.0",
                            "initial_chi.correlation_length=3e-3", "initial_chi.seed=7"])
    fields = []
    for comm in (world, MPI.COMM_SELF):
        with Simulation(data, tmp_path / f"f{comm.size}", comm) as sim:
            gathered = sim.fields.gather(sim.fields.averages())
        fields.append(comm.bcast(gathered, root=0))
    (par, ser) = fields
    order_p = np.lexsort(par["coords"].T)
    order_s = np.lexsort(ser["coords"].T)
    np.testing.assert_allclose(par["coords"][order_p], ser["coords"][order_s], atol=1e-12)
    np.testing.assert_allclose(par["chi_K"][order_p], ser["chi_K"][order_s], rtol=1e-12)
    assert 20.0 < np.std(ser["chi_K"]) < 40.0


def test_notched_bar_does_not_depend_on_the_rank_count(tmp_path, monkeypatch):
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(shared_dir(tmp_path, "meshes")))
    case = Path(__file__).resolve().parents[2] / "cases" / "notched_tension.toml"
    data = read_case(case, ["mesh.size=0.4e-3", "mesh.grading=5.0", "loading.end_strain=0.02",
                            "output.fields=false"])
    assert_rank_independent(*parallel_and_serial(data, tmp_path), "mean_stress_Pa",
                            ("localization_index", "orientation_deg", "width_m"))


def test_machine_grips_do_not_depend_on_the_rank_count(tmp_path, monkeypatch):
    """A compliant machine on 2 ranks: the grip dof lives on rank 0, the grip's dofs (the bar's
    platen) or the contact facets (the indenter) on either; dilatant bar past its peak."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(shared_dir(tmp_path, "meshes")))
    cases = Path(__file__).resolve().parents[2] / "cases"
    bar = read_case(cases / "uniaxial_bar.toml", [
        "mesh.size=2e-3", "loading.end_strain=0.06", "output.fields=false",
        "material.alpha=0.1", "material.beta=0.1", "loading.machine_stiffness=2e10"])
    assert_rank_independent(*parallel_and_serial(bar, tmp_path / "bar"), "mean_stress_Pa",
                            ("localization_index",))
    indent = read_case(cases / "indentation_cylinder.toml", [
        "mesh.size=20e-6", "mesh.grading=10.0", "loading.end_depth=6e-6",
        "output.fields=false", "loading.machine_stiffness=5e10"])
    assert_rank_independent(*parallel_and_serial(indent, tmp_path / "indent"),
                            "force_N_per_m", ())


def test_checkpoint_from_two_ranks_restarts_on_one(tmp_path):
    """A run stopped on 2 ranks continues serially (checkpoint keyed by original cell index)
    to the result of an uninterrupted serial run."""
    import shutil

    world = MPI.COMM_WORLD
    base = read_case(CASE, COARSE)
    stopped = read_case(CASE, [*COARSE, "solver.max_steps=40"])
    parallel_dir = shared_dir(tmp_path, "parallel")
    with Simulation(stopped, parallel_dir, world) as sim:
        assert sim.run(progress=False)["status"] == "stopped"
    if world.rank == 0:
        serial_dir, restarted_dir = tmp_path / "serial", tmp_path / "restarted"
        shutil.copytree(parallel_dir, restarted_dir)
        with Simulation(base, restarted_dir, MPI.COMM_SELF) as sim:
            restarted = sim.run(progress=False, restart=True)
        with Simulation(base, serial_dir, MPI.COMM_SELF) as sim:
            serial = sim.run(progress=False)
        assert restarted["steps"] == serial["steps"] and restarted["restarts"] == 1
        a = read_curve(serial_dir / "curve.csv")
        b = read_curve(restarted_dir / "curve.csv")
        np.testing.assert_allclose(b["mean_stress_Pa"], a["mean_stress_Pa"], rtol=1e-6)
        np.testing.assert_allclose(b["max_chi_K"], a["max_chi_K"], rtol=1e-6)
    world.Barrier()


def test_indentation_does_not_depend_on_the_rank_count(tmp_path, monkeypatch):
    """Penalty contact under MPI: the load–depth curve and the plasticity onset agree."""
    world = MPI.COMM_WORLD
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(shared_dir(tmp_path, "meshes")))
    case = Path(__file__).resolve().parents[2] / "cases" / "indentation_cylinder.toml"
    data = read_case(case, ["mesh.size=10e-6", "mesh.grading=20.0", "loading.end_depth=8e-6",
                            "output.fields=false"])
    parallel, serial, parallel_dir, serial_dir = parallel_and_serial(data, tmp_path)
    assert parallel["steps"] == serial["steps"]
    if world.rank == 0:
        a = read_curve(parallel_dir / "curve.csv")
        b = read_curve(serial_dir / "curve.csv")
        np.testing.assert_allclose(a["force_N_per_m"], b["force_N_per_m"], rtol=1e-6)
        onset = parallel["specimen_results"]["plasticity_onset_depth_m"]
        assert onset is not None and onset == pytest.approx(
            serial["specimen_results"]["plasticity_onset_depth_m"], rel=1e-6)


def test_notched_bend_does_not_depend_on_the_rank_count(tmp_path, monkeypatch):
    """Three-point bending of a V-notched beam (roller contact, simply supported ends): the
    load curve and the band measures agree on 1 and 2 ranks."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(shared_dir(tmp_path, "meshes")))
    case = Path(__file__).resolve().parents[2] / "cases" / "notched_bend.toml"
    data = read_case(case, ["mesh.size=0.4e-3", "mesh.grading=6.0", "geometry.notch_angle=60.0",
                            "loading.end_strain=0.012", "output.fields=false"])
    serial = assert_rank_independent(*parallel_and_serial(data, tmp_path), "force_N_per_m",
                                     ("localization_index", "orientation_deg", "count"))
    assert serial["bands"]["localization_index"] > 0.5  # flow is at the notch root


SPECIMEN_CASES = {
    "pure_bending.toml": (["mesh.size=0.2e-3", "mesh.grading=2.0", "loading.end_strain=0.03"],
                          "moment_N"),
    "four_point_bending.toml": (["mesh.size=0.2e-3", "mesh.grading=4.0",
                                 "geometry.refine_depth=0.0", "loading.end_strain=0.01"],
                                "force_N_per_m"),
    "uniaxial_bar.toml": (["mesh.size=1e-3", "loading.end_strain=0.03"], "mean_stress_Pa"),
    "indentation_sphere_3d.toml": (["mesh.size=25e-6", "mesh.grading=10.0",
                                    "geometry.refine_radius=50e-6", "loading.end_depth=2e-6",
                                    "solver.linear=direct"], "force_N"),
}


@pytest.mark.parametrize("name", sorted(SPECIMEN_CASES))
def test_specimen_does_not_depend_on_the_rank_count(name, tmp_path, monkeypatch):
    """Each remaining specimen at a coarse resolution: the same curve and band measures on 1
    and 2 ranks."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(shared_dir(tmp_path, "meshes")))
    overrides, column = SPECIMEN_CASES[name]
    case = Path(__file__).resolve().parents[2] / "cases" / name
    data = read_case(case, [*overrides, "output.fields=false"])
    assert_rank_independent(*parallel_and_serial(data, tmp_path), column,
                            ("localization_index", "count"))


def test_an_error_on_one_rank_inside_the_residual_ends_the_run_on_all(tmp_path, monkeypatch):
    """The local update failing on rank 1 alone (its third call) must not leave rank 0 in the
    assembly's collectives: every rank leaves the solve and raises the same one-line error."""
    from stz_fem.fem import solver as solver_module
    from stz_fem.fem.solver import CallbackError

    world = MPI.COMM_WORLD
    original, calls = solver_module.advance, []

    def failing_on_rank_1(*args):
        calls.append(None)
        if world.rank == 1 and len(calls) == 3:
            raise FloatingPointError("injected")
        return original(*args)

    monkeypatch.setattr(solver_module, "advance", failing_on_rank_1)
    data = read_case(CASE, COARSE)
    with pytest.raises(CallbackError, match=r"rank 1 .*injected") as err:
        with Simulation(data, shared_dir(tmp_path, "run"), world) as sim:
            sim.run(progress=False)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("override", [
    "initial_chi.bumps=[{centre=[0.04,0.01],amplitude=-700.0,width=5e-4}]",  # χ₀ < 0 at a node
    "mesh.size=inf", "loading.wall_velocity=-1.0", "material.T=0.0",
])
def test_bad_input_raises_the_same_error_on_every_rank(tmp_path, override):
    from stz_fem.errors import InputError

    data = read_case(CASE, [*COARSE, override])
    with pytest.raises(InputError) as err:
        with Simulation(data, shared_dir(tmp_path, "run"), MPI.COMM_WORLD) as sim:
            sim.run(progress=False)
    messages = MPI.COMM_WORLD.allgather(str(err.value))
    assert len(set(messages)) == 1 and "\n" not in messages[0]
