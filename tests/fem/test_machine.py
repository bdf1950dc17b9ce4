"""A compliant testing machine (``loading.machine_stiffness``): a linear spring in series with
the grip. Elastic specimens follow the series law; a soft machine drives load drops that a
stiff one does not."""

from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.material import load
from stz_fem.material_point import read_curve
from stz_fem.simulation import Simulation

CASES = Path(__file__).resolve().parents[2] / "cases"
ELASTIC = ["material.s_y=1e12", "output.fields=false"]


def run(tmp_path, name, case, overrides):
    data = read_case(CASES / case, overrides)
    with Simulation(data, tmp_path / name, MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
    return summary, read_curve(tmp_path / name / "curve.csv")


@pytest.fixture(autouse=True)
def mesh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))


def test_elastic_bar_on_a_spring_follows_the_series_law(tmp_path):
    """F/u_m = 1/(1/k_s + 1/k) with k_s = E'W/H (plane strain, frictionless platens), and the
    platen carries the rest of the machine's displacement: u_grip = u_m − F/k."""
    k = 1e10  # N/m per m: a sixth of the bar's stiffness
    _, curve = run(tmp_path, "bar", "uniaxial_bar.toml", [
        *ELASTIC, "mesh.size=2e-3", "loading.end_strain=0.004",
        f"loading.machine_stiffness={k}"])
    p = load("vitreloy1")
    width, height = 10e-3, 20e-3
    k_s = p.E / (1 - p.nu**2) * width / height
    force = -curve["mean_stress_Pa"][1:] * width
    machine = curve["nominal_strain"][1:] * height
    np.testing.assert_allclose(force / machine, 1 / (1 / k_s + 1 / k), rtol=1e-8)
    np.testing.assert_allclose(-curve["platen_displacement_m"][1:], machine - force / k,
                               rtol=1e-8)


def test_notched_bar_on_a_spring_follows_the_series_law(tmp_path):
    """The rigid grip's stiffness k_s = F/u in series with the spring, to solver tolerance."""
    common = [*ELASTIC, "mesh.size=0.5e-3", "mesh.grading=4", "loading.end_strain=0.002",
              "initial_chi.kind=uniform"]
    _, rigid = run(tmp_path, "rigid", "notched_tension.toml", common)
    k = 2e10
    _, soft = run(tmp_path, "soft", "notched_tension.toml",
                  [*common, f"loading.machine_stiffness={k}"])
    k_s = rigid["grip_force_N_per_m"][-1] / rigid["grip_displacement_m"][-1]
    machine = soft["nominal_strain"][1:] * 30e-3
    np.testing.assert_allclose(soft["grip_force_N_per_m"][1:] / machine,
                               1 / (1 / k_s + 1 / k), rtol=1e-7)
    np.testing.assert_allclose(soft["grip_displacement_m"][1:],
                               machine - soft["grip_force_N_per_m"][1:] / k, rtol=1e-7)


def test_indenter_on_a_spring_balances_the_contact_force(tmp_path):
    """A contact grip: the indenter's depth d is the free dof; the spring force k(u_m − d)
    equals the contact force, and (P, d) lies on the rigid indenter's P(d) curve."""
    case = ["mesh.size=20e-6", "mesh.grading=10", "loading.end_depth=3e-6", *ELASTIC,
            "initial_chi.kind=uniform"]
    _, rigid = run(tmp_path, "rigid", "indentation_cylinder.toml", case)
    k = 5e10  # N/m per m: about the contact stiffness
    summary, soft = run(tmp_path, "soft", "indentation_cylinder.toml",
                        [*case, f"loading.machine_stiffness={k}"])
    force, depth = soft["force_N_per_m"][1:], soft["depth_m"][1:]
    np.testing.assert_allclose(force, k * (soft["machine_displacement_m"][1:] - depth),
                               rtol=1e-6)
    assert depth[-1] < 0.8 * soft["machine_displacement_m"][-1]
    # the rigid curve, P ∝ d^1.1–1.2 here, interpolated in log–log
    on_rigid = np.exp(np.interp(np.log(depth), np.log(rigid["depth_m"][1:]),
                                np.log(rigid["force_N_per_m"][1:])))
    inside = depth >= rigid["depth_m"][1]
    np.testing.assert_allclose(force[inside], on_rigid[inside], rtol=5e-3)
    assert summary["specimen_results"]["load_drops"] == []


def test_rollers_on_a_spring_balance_the_roller_force(tmp_path):
    """Four-point bending with the loading rollers on one spring (a contact grip with two
    obstacles): the spring force equals the rollers' total force."""
    k = 1e7
    _, curve = run(tmp_path, "bend", "four_point_bending.toml", [
        *ELASTIC, "mesh.size=0.25e-3", "mesh.grading=4", "geometry.refine_depth=0",
        "loading.end_strain=0.002", "initial_chi.kind=uniform",
        f"loading.machine_stiffness={k}"])
    force = curve["force_N_per_m"]
    travel = curve["machine_displacement_m"] - curve["deflection_m"]
    assert force[-1] > 0.0 and travel[-1] > 0.0
    np.testing.assert_allclose(force, k * travel, rtol=1e-6)


@pytest.mark.slow
def test_a_soft_machine_gives_a_load_drop_that_a_stiff_one_does_not(tmp_path):
    """Plane-strain compression of the bar (2 mm elements): on a spring of 3e9 N/m per m (a
    twentieth of the bar's stiffness) the band's softening outruns the spring's unloading and
    the load drops by ~7 % at a nearly fixed machine displacement; on 1e12 N/m per m the
    same band softens the bar gradually, with no drop (about 1 min on one core)."""
    common = ["mesh.size=2e-3", "output.fields=false"]
    soft, curve = run(tmp_path, "soft", "uniaxial_bar.toml", [
        *common, "loading.end_strain=0.42", "loading.machine_stiffness=3e9"])
    drops = soft["specimen_results"]["load_drops"]
    assert len(drops) >= 1 and max(d["relative_drop"] for d in drops) > 0.03
    assert (tmp_path / "soft" / "run.png").stat().st_size > 0
    stiff, stiff_curve = run(tmp_path, "stiff", "uniaxial_bar.toml", [
        *common, "loading.end_strain=0.1", "loading.machine_stiffness=1e12"])
    assert stiff["specimen_results"]["load_drops"] == []
    # both went past their peak: the stiff bar softens too, only slower than it was loaded
    for c in (curve, stiff_curve):
        stress = np.abs(c["mean_stress_Pa"])
        assert stress[-1] < 0.95 * stress.max()


def test_a_restarted_run_keeps_the_indenter_on_its_spring(tmp_path):
    """A contact grip's dof is not in u: the checkpoint carries it, so a stopped and restarted
    run matches the uninterrupted one."""
    from stz_fem.cli import main

    case = str(CASES / "indentation_cylinder.toml")
    options = [f"--set={o}" for o in ("mesh.size=20e-6", "mesh.grading=10",
                                      "loading.end_depth=3e-6", *ELASTIC,
                                      "initial_chi.kind=uniform", "output.interval=5e-4",
                                      "loading.machine_stiffness=5e10")] + ["--quiet"]
    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["run", case, "--out", str(full), *options]) == 0
    assert main(["run", case, "--out", str(part), *options, "--set=solver.max_steps=3"]) == 4
    assert main(["run", case, "--out", str(part), *options, "--restart"]) == 0
    a, b = read_curve(full / "curve.csv"), read_curve(part / "curve.csv")
    np.testing.assert_allclose(b["depth_m"], a["depth_m"], rtol=1e-8)
    np.testing.assert_allclose(b["force_N_per_m"], a["force_N_per_m"], rtol=1e-8)
