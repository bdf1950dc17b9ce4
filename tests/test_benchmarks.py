"""Every benchmark script runs end to end at its ``--tiny`` size (seconds each), so that none
of them rots while the library changes. The checks are on the structure and sanity of the
reports (keys, finite positive cost ratios, files written), never on timings."""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import importlib
import json
import math
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark(name: str):
    """The module of ``benchmarks/<name>.py`` (the scripts import ``_runs`` from their folder)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def positive_ratio(value) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value > 0


def tiny(name: str, out: Path, *extra: str):
    return benchmark(name).main(["--tiny", "--out", str(out), *extra])


def test_tiny_defaults_yield_to_explicit_arguments():
    runs = benchmark("_runs")
    preset = {"size": 4.0, "steps": 2}

    def parse(argv):
        parser = argparse.ArgumentParser()
        parser.add_argument("--size", type=float, default=1.0)
        parser.add_argument("--steps", type=int, default=10)
        args = runs.parse_args(parser, argv, preset)
        return args.size, args.steps, args.tiny

    assert parse([]) == (1.0, 10, False)
    assert parse(["--tiny", "--steps", "3"]) == (4.0, 3, True)


def test_run_case_reuses_a_completed_run_and_reruns_a_changed_case(tmp_path):
    runs = benchmark("_runs")
    from stz_fem.cases import read_case

    overrides = ["mesh.size=4e-3", "loading.end_strain=0.01", "output.fields=false"]
    data = read_case(runs.CASES / "shear_strip.toml", overrides)
    first, previous = runs.run_case(data, tmp_path)
    assert previous is None
    again, previous = runs.run_case(data, tmp_path)
    assert previous == "completed"
    assert again["steps"] == first["steps"] and again["bands"] == first["bands"]
    changed = read_case(runs.CASES / "shear_strip.toml", [*overrides, "loading.end_strain=0.012"])
    assert runs.run_case(changed, tmp_path)[1] is None
    assert runs.run_case(data, tmp_path, reuse=False)[1] is None


def test_material_update():
    report = benchmark("material_update").main(["--tiny"])
    assert report["points"] == 2000 and report["baseline_ns_per_point"] > 0
    assert len(report["rows"]) == 8
    for row in report["rows"]:
        assert positive_ratio(row["time_ratio"])
        assert 0 < row["flowing_fraction"] < 1 and row["max_scalar_iterations"] > 0


def test_fem_step(tmp_path):
    (row,) = tiny("fem_step", tmp_path)
    assert row["ranks"] == 1 and row["dofs"] > 0 and row["increments"] > 0
    assert positive_ratio(row["increment_in_elastic_solves_wall"])
    assert positive_ratio(row["increment_in_elastic_solves_cpu"])
    assert row["peak_memory_MiB"] > 0


def test_fem_step_3d(tmp_path):
    """The sphere, with both elastic solves as baselines and the memory per dof."""
    (row,) = tiny("fem_step", tmp_path, "--3d")
    assert row["ranks"] == 1 and row["dofs"] > 0 and row["increments"] > 0
    assert row["linear"] in ("direct", "iterative")
    assert positive_ratio(row["elastic_direct_wall_s"])
    assert positive_ratio(row["elastic_iterative_wall_s"])
    assert row["elastic_solve_wall_s"] == min(row["elastic_direct_wall_s"],
                                              row["elastic_iterative_wall_s"])
    assert positive_ratio(row["increment_in_elastic_solves_cpu"])
    # memory added by a tiny run is at the noise of the allocator (it can even be negative)
    assert math.isfinite(row["memory_per_dof_kB"])


@pytest.mark.mpi
def test_fem_step_on_two_ranks():
    """The benchmark's collective path (temporary folder from rank 0, reductions), with the
    strong-scaling pair: rank 0 alone, then all ranks, in one invocation."""
    from mpi4py import MPI

    rows = benchmark("fem_step").main(["--tiny", "--strong-scaling"])
    size = MPI.COMM_WORLD.size
    if MPI.COMM_WORLD.rank == 0:
        assert [r["ranks"] for r in rows] == ([1, size] if size > 1 else [1])
        assert positive_ratio(rows[-1]["increment_in_elastic_solves_cpu"])
        assert size == 1 or positive_ratio(rows[-1]["speedup_wall"])
    else:
        assert rows is None


def test_strip_mesh_objectivity(tmp_path):
    table = tiny("strip_mesh_objectivity", tmp_path)
    assert json.loads((tmp_path / "table.json").read_text()) == table
    assert [(r["l_chi_m"], r["h_m"]) for r in table["runs"]] == [
        (2e-3, 4e-3), (2e-3, 2e-3), (0.0, 4e-3), (0.0, 2e-3)]
    assert table["runs"][0]["cpu_ratio"] == 1.0
    assert all(positive_ratio(r["cpu_ratio"]) for r in table["runs"])
    assert len(table["refinements"]) == 2
    for step in table["refinements"]:
        assert positive_ratio(step["cpu_ratio"])
        assert math.isfinite(step["width_change"]) and math.isfinite(step["width_chi_change"])


def test_accuracy_cost(tmp_path):
    table = tiny("accuracy_cost", tmp_path)
    assert json.loads((tmp_path / "table.json").read_text()) == table
    assert table["reference"]["cpu_ratio"] == 1.0 and table["reference"]["same_run"]
    assert len(table["candidates"]) == 2
    for row in table["candidates"]:
        assert row["same_run"] and positive_ratio(row["cpu_ratio"])
        assert row["stress_error"] >= 0 and row["width_chi_error"] >= 0
    # --resume reuses every run: flagged as not timed in this invocation
    again = tiny("accuracy_cost", tmp_path, "--resume")
    assert not any(r["same_run"] for r in [again["reference"], *again["candidates"]])
    assert [r["cpu_ratio"] for r in again["candidates"]] == pytest.approx(
        [r["cpu_ratio"] for r in table["candidates"]], rel=0.1)


def test_band_orientation(tmp_path):
    rows = tiny("band_orientation", tmp_path)
    assert json.loads((tmp_path / "table.json").read_text()) == rows
    assert [(r["mode"], r["alpha"]) for r in rows] == [
        ("compression", 0.0), ("compression", 0.3), ("tension", 0.0), ("tension", 0.3)]
    for r in rows:
        assert all(math.isfinite(r[k]) for k in ("angle_slash_deg", "angle_backslash_deg",
                                                 "mean_angle_deg", "shift_from_alpha0_deg"))
    assert (tmp_path / "band_orientation.png").stat().st_size > 0


def test_bending_band_spacing(tmp_path):
    table = tiny("bending_band_spacing", tmp_path)
    root = tmp_path / "chi600"
    assert json.loads((root / "table.json").read_text()) == table
    assert [(r["thickness_m"], r["seed"]) for r in table["runs"]] == [(1e-3, 1), (1.5e-3, 1)]
    assert [r["seeds"] for r in table["by_thickness"]] == [1, 1]
    assert set(table["fit"]) == {"dominant", "all", "period"}
    for fit in table["fit"].values():
        assert fit["slope"] is None or math.isfinite(fit["slope"])
    assert (root / "band_spacing.png").stat().st_size > 0


def test_notched_annealing(tmp_path):
    rows = tiny("notched_annealing", tmp_path)
    assert json.loads((tmp_path / "table.json").read_text()) == rows
    assert [r["chi0_K"] for r in rows] == [600.0, 680.0]
    for r in rows:
        assert r["dofs"] > 0 and r["steps"] > 0 and r["peak_nominal_stress_Pa"] > 0
    assert (tmp_path / "annealed_rejuvenated.png").stat().st_size > 0


def test_calibration_speed(tmp_path):
    table = tiny("calibration_speed", tmp_path)
    assert json.loads((tmp_path / "table.json").read_text()) == table
    assert table["curves"] == 2 and table["evaluations"] > 0
    assert positive_ratio(table["wall_in_evaluations"]) and table["wall_in_evaluations"] > 1
    assert table["max_relative_parameter_error"] >= 0
    assert (tmp_path / "fit" / "report.json").is_file()


def test_band_heating(tmp_path):
    rows = tiny("band_heating", tmp_path)
    assert [(r["specimen"], r["mode"]) for r in rows] == [
        ("shear_strip", "conducting"), ("notched_tension", "conducting")]
    assert all(r["status"] == "completed" and r["peak_temperature_K"] >= 400.0 for r in rows)
    assert (tmp_path / "band_heating.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "table.json").read_text()) == rows
