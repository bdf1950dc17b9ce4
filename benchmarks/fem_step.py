"""Cost of a load increment, in units of one linear-elastic solve of the same run.

Measures, for each mesh, the mean cost of an accepted load increment (all its Newton
iterations, local updates, χ diffusion and output bookkeeping) against the baseline of one
warm elastic solve on the same mesh, done the way a Newton iteration does one
(``MechanicsSolver.elastic_solve``: assembly into the existing matrices, PᵀAP into the reduced
one, a fresh numeric setup of the preconditioner, the solve), for MUMPS and for CG + GAMG:
one untimed call, then the mean of ``--repeats``; the unit is the faster of the two means.
Means against means, in wall time and in CPU time summed over ranks (the steadier one when
other jobs share the cores). Also Newton iterations per increment, the linear solver the run
used, and memory: the resident set the run added (current RSS after it minus before the case
was built, summed over ranks) per dof, and the peak RSS summed over ranks.

2-D: the shear strip (grading 4). ``--3d``: the 3-D sphere indentation
(``cases/indentation_sphere_3d.toml``, coarsened: ``--sizes`` under the indenter, grading 10,
refined within 75 µm) to ``--end-depth``, through the onset of plastic flow.

``--strong-scaling`` (under mpirun with ≥ 2 ranks): each mesh runs first on rank 0 alone
(the other ranks wait without spinning), then on all ranks, in the same invocation; the
speed-up is the ratio of the wall times per increment.

    .venv/bin/python benchmarks/fem_step.py [--sizes 5e-4 2.5e-4] [--end-strain 0.1]
    .venv/bin/python benchmarks/fem_step.py --3d --sizes 20e-6 14e-6 --linear direct
    scripts/mpirun -n 2 .venv/bin/python benchmarks/fem_step.py --3d --strong-scaling
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import math
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _runs import CASES, parse_args, ratio
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation

CASE = CASES / "shear_strip.toml"
CASE_3D = CASES / "indentation_sphere_3d.toml"
TINY = {"sizes": [4e-3], "end_strain": 0.04}
TINY_3D = {"sizes": [60e-6], "end_depth": 0.6e-6, "repeats": 1}


def elastic_solve_time(sim: Simulation, linear: str, repeats: int = 3) -> tuple[float, float]:
    """Mean wall and CPU time (s; CPU summed over ranks) of ``repeats`` warm elastic solves
    with ``linear`` ("direct" or "iterative") after one untimed call."""
    solver, comm = sim.solver, sim.comm
    solver.elastic_solve(linear)
    wall = cpu = 0.0
    for _ in range(repeats):
        comm.Barrier()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        solver.elastic_solve(linear)
        cpu += comm.allreduce(time.process_time() - cpu0)
        comm.Barrier()
        wall += time.perf_counter() - wall0
    return wall / repeats, cpu / repeats


def resident_mib() -> float:
    """This process's current resident set, MiB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def measure(data: dict, out: Path, comm: MPI.Comm, repeats: int,
            baselines: Sequence[str] = ("direct", "iterative")) -> dict:
    """One run of ``data`` on ``comm`` with its elastic-solve baselines (the linear solvers
    ``baselines``; the unit is the fastest)."""
    before = comm.allreduce(resident_mib())
    with Simulation(data, out, comm) as sim:
        elastic = {linear: elastic_solve_time(sim, linear, repeats) for linear in baselines}
        summary = sim.run(progress=False)
        added = comm.allreduce(resident_mib()) - before
        rebuilds = sim.solver.preconditioner_builds
    steps = summary["steps"]
    wall_unit = min(w for w, _ in elastic.values())
    cpu_unit = min(c for _, c in elastic.values())
    wall_increment = summary["wall_time_s"] / steps
    return {
        "ranks": comm.size, "linear": summary["linear_solver"], "dofs": summary["dofs"],
        "increments": steps, "newton_per_increment": summary["newton_iterations"] / steps,
        "elastic_direct_wall_s": elastic.get("direct", (math.nan,))[0],
        "elastic_iterative_wall_s": elastic.get("iterative", (math.nan,))[0],
        "elastic_solve_wall_s": wall_unit, "elastic_solve_cpu_s": cpu_unit,
        "increment_wall_s": wall_increment,
        "increment_in_elastic_solves_wall": ratio(wall_increment, wall_unit),
        "increment_in_elastic_solves_cpu": ratio(summary["cpu_time_s"] / steps, cpu_unit),
        "preconditioner_builds": rebuilds,
        "memory_added_MiB": added, "memory_per_dof_kB": 1024 * added / summary["dofs"],
        "peak_memory_MiB": comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        / 1024,
    }


def alone_on_rank0(comm: MPI.Comm, work):
    """``work(MPI.COMM_SELF)`` on rank 0 while the other ranks wait without spinning; the
    result on rank 0, None elsewhere."""
    result = work(MPI.COMM_SELF) if comm.rank == 0 else None
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(0.05)
    return result


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the benchmark; returns one row per mesh and rank count (rank 0; None on the
    others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--3d", dest="three_d", action="store_true",
                        help="the 3-D sphere indentation instead of the 2-D strip")
    parser.add_argument("--sizes", type=float, nargs="+", default=None,
                        help="element sizes, m: at mid-height of the strip (default 5e-4 "
                             "2.5e-4, ≈ 52k and 205k dofs) or under the sphere (--3d; "
                             "default 20e-6 14e-6)")
    parser.add_argument("--end-strain", type=float, default=0.2, help="strip")
    parser.add_argument("--end-depth", type=float, default=2e-6, help="sphere, m")
    parser.add_argument("--linear", choices=("auto", "direct", "iterative"), default="auto",
                        help="linear solver of the Newton steps (the baseline is the faster "
                             "of both elastic solves)")
    parser.add_argument("--repeats", type=int, default=3, help="timed elastic solves")
    parser.add_argument("--baselines", choices=("direct", "iterative"), nargs="+",
                        default=["direct", "iterative"],
                        help="linear solvers whose elastic solve is timed as the unit (the "
                             "fastest counts); 'iterative' alone above ~10⁵ 3-D dofs, where "
                             "MUMPS is several times slower and its factors take GBs")
    parser.add_argument("--strong-scaling", action="store_true",
                        help="each mesh on rank 0 alone, then on all ranks")
    parser.add_argument("--out", help="run directories (default: a new temporary one)")
    three_d = "--3d" in (sys.argv[1:] if argv is None else argv)
    args = parse_args(parser, argv, TINY_3D if three_d else TINY)
    if args.sizes is None:
        args.sizes = [20e-6, 14e-6] if args.three_d else [5e-4, 2.5e-4]
    comm = MPI.COMM_WORLD
    out = Path(args.out or comm.bcast(tempfile.mkdtemp() if comm.rank == 0 else None, root=0))
    rows = []
    for h in args.sizes:
        if args.three_d:
            data = read_case(CASE_3D, [f"mesh.size={h}", "mesh.grading=10.0",
                                       "geometry.refine_radius=75e-6", "output.fields=false",
                                       f"loading.end_depth={args.end_depth}",
                                       f"solver.linear={args.linear}"])
        else:
            data = read_case(CASE, [f"mesh.size={h}", "mesh.grading=4.0", "output.fields=false",
                                    f"loading.end_strain={args.end_strain}",
                                    f"solver.linear={args.linear}"])
        runs = []
        if args.strong_scaling and comm.size > 1:
            runs.append(alone_on_rank0(comm, lambda c, h=h, data=data: measure(
                data, out / f"h{h:g}_1", c, args.repeats, args.baselines)))
        runs.append(measure(data, out / f"h{h:g}_{comm.size}", comm, args.repeats,
                            args.baselines))
        for r in runs:
            if comm.rank != 0:
                continue
            r["h_m"] = h
            if len(runs) == 2 and r is runs[1]:
                r["speedup_wall"] = ratio(runs[0]["increment_wall_s"], r["increment_wall_s"])
            rows.append(r)
            print(f"{r['ranks']} rank(s), {r['linear']}, h {h:.2e} m, {r['dofs']} dofs: "
                  f"{r['increments']} increments, {r['newton_per_increment']:.2f} Newton its "
                  f"each, each = {r['increment_in_elastic_solves_wall']:.2f} elastic solves in "
                  f"wall time, {r['increment_in_elastic_solves_cpu']:.2f} in CPU time (elastic "
                  f"solve: MUMPS {r['elastic_direct_wall_s']:.3f} s, CG+GAMG "
                  f"{r['elastic_iterative_wall_s']:.3f} s wall; increment "
                  f"{r['increment_wall_s']:.3f} s); PC builds {r['preconditioner_builds']}; "
                  f"memory {r['memory_per_dof_kB']:.1f} kB/dof added, peak "
                  f"{r['peak_memory_MiB']:.0f} MiB"
                  + (f"; speed-up on {r['ranks']} ranks {r['speedup_wall']:.2f}×"
                     if "speedup_wall" in r else ""), flush=True)
    return rows if comm.rank == 0 else None


if __name__ == "__main__":
    main()
