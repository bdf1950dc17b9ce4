"""The MD driver: plans that meet the data requirements, and (slow) quick mode end to end."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.lammps_dump import read_dump

MD = Path(__file__).parents[2] / "calibration" / "md"


def load_script(name: str):
    """A script of calibration/md as a module (run_md, plans)."""
    spec = importlib.util.spec_from_file_location(name, MD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_driver():
    return load_script("run_md")


def test_plans_cover_two_cooling_rates_three_shear_rates_two_temperatures() -> None:
    plans = load_script("plans")
    for plan in (plans.QUICK, plans.FULL):
        assert len(plan.cooling_rates) == 2 and len(plan.shear_rates) >= 3
        assert len(plan.temperatures) >= 2
        runs = plans.shear_runs(plan)
        assert len({run.tag for run in runs}) == len(runs) == 7
    assert plans.QUICK.atoms < 1000 < plans.FULL.atoms
    assert plans.rate_tag(3e9) == "3e9" and plans.rate_tag(1e-3) == "1e-03"


@pytest.mark.slow
def test_quick_mode_end_to_end(tmp_path: Path) -> None:
    driver, plans = load_driver(), load_script("plans")
    driver.main(
        [
            "--quick",
            "--out",
            str(tmp_path / "md"),
            "--jobs",
            "2",
            "--collect",
            str(tmp_path / "small"),
        ]
    )
    manifest = json.loads((tmp_path / "small" / "manifest_quick.json").read_text())
    assert manifest["wall_s"] < 180.0
    plan = plans.QUICK
    for run in plans.shear_runs(plan):
        table = np.loadtxt(
            tmp_path / "small" / f"stress_strain_{run.tag}.csv", delimiter=",", skiprows=1
        )
        strain, stress, temperature, energy = table.T
        assert strain[-1] == pytest.approx(plan.max_strain, abs=0.01)
        assert 0.5e9 < stress.max() < 5e9
        assert abs(temperature.mean() / run.temperature - 1.0) < 0.1
        assert -5.0 < energy.mean() < -4.5
    first = plans.shear_runs(plan)[0]
    frames = read_dump(tmp_path / "small" / f"shear_{first.tag}.dump.gz")
    assert len(frames) == round(plan.max_strain / plan.dump_strain) + 1
    assert sum(path.stat().st_size for path in (tmp_path / "small").iterdir()) < 1_000_000


def test_pressure_conditions_tag_and_select_the_held_stress_input() -> None:
    plans = load_script("plans")
    runs = plans.parse_conditions(plans.FULL, ("1e13:300:1e10:::-1,2", "1e13:300:1e10::5929:0:y"))
    assert [r.tag for r in runs] == [
        "q1e13_T300_r1e10_p-1GPa",
        "q1e13_T300_r1e10_p2GPa",
        "q1e13_T300_r1e10_sy0GPa_v5929",
    ]
    assert [r.pressure_GPa for r in runs] == [-1.0, 2.0, 0.0] and runs[2].held == "y"
    assert plans.parse_conditions(plans.FULL, ("1e13:300:1e10",))[0].pressure_GPa is None
    with pytest.raises(ValueError, match="HELD"):
        plans.parse_conditions(plans.FULL, ("1e13:300:1e10:::1:z",))
    tags = [r.tag for r in plans.shear_runs(plans.PRESSURE)]
    assert len(set(tags)) == len(tags) >= 10


def test_held_stress_table_gives_pressure_equivalent_stress_and_volume(tmp_path: Path) -> None:
    """A LAMMPS pressure tensor (bar, P = −σ) of 1 GPa hydrostatic compression plus 0.5 GPa
    of shear σxy: p = 1 GPa and s̄ = 0.5 GPa exactly."""
    driver = load_driver()
    names = "v_strain c_ptd[1] c_ptd[2] c_ptd[3] c_ptd[4] c_ptd[5] c_ptd[6] c_tdef v_pea v_volume"
    rows = ["50 0.001 1e4 1e4 1e4 -5e3 0 0 300 -4.8 36000.5"]
    table = tmp_path / "stress_strain_x.txt"
    table.write_text(f"# Time-averaged data\n# TimeStep {names}\n" + "\n".join(rows) + "\n")
    driver.write_stress_strain(table, tmp_path / "x.csv")
    header = (tmp_path / "x.csv").read_text().splitlines()[0].split(",")
    values = dict(
        zip(header, np.loadtxt(tmp_path / "x.csv", delimiter=",", skiprows=1), strict=True)
    )
    assert values["shear_stress_Pa"] == pytest.approx(0.5e9)
    assert values["pressure_Pa"] == pytest.approx(1e9)
    assert values["equivalent_shear_stress_Pa"] == pytest.approx(0.5e9)
    assert values["volume_A3"] == pytest.approx(36000.5)


def test_collect_takes_a_plan_of_one_shear_run(tmp_path: Path) -> None:
    """--collect of a plan with a single --runs condition (its first run is its last) copies
    its table, log and dumps with the run folder written as $OUT."""
    driver, plans = load_driver(), load_script("plans")
    plan = plans.replace(plans.SPLIT, conditions=("1e13:300:3e8:7928",), name="one",
                         keep_dumps=None)  # as main() makes it for --runs
    (run,) = plans.shear_runs(plan)
    out = tmp_path / "md"
    folder = out / f"shear_{run.tag}"
    folder.mkdir(parents=True)
    (folder / "record.json").write_text("{}")
    (folder / "log.lammps").write_text(f"LAMMPS (x)\nread_data {out.resolve()}/glass.data\n")
    (folder / f"stress_strain_{run.tag}.csv").write_text("strain,stress\n0,0\n")
    for name in (f"shear_{run.tag}", f"relax_{run.tag}"):
        (folder / f"{name}.dump.gz").write_bytes(b"dump")
    (out / "manifest.json").write_text("{}")
    driver.collect(out, tmp_path / "data", plan)
    data = tmp_path / "data"
    assert (data / f"stress_strain_{run.tag}.csv").is_file()
    assert "$OUT/glass.data" in (data / f"log_shear_{run.tag}.lammps").read_text()
    assert (data / "manifest_one.json").is_file()
    assert {p.name for p in data.glob("*.dump.gz")} == {f"shear_{run.tag}.dump.gz",
                                                        f"relax_{run.tag}.dump.gz"}
