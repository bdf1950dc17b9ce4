"""Cost of a load increment of the shear strip, in units of one linear-elastic solve.

Measures, for each mesh, the mean cost of an accepted load increment of the strip (all its
Newton iterations, local updates, χ diffusion and output bookkeeping) against the baseline of
one elastic solve on the same mesh (assembly of the elastic stiffness, PᵀAP, MUMPS
factorization and solve; best of three) timed in the same process just before the run: as a
ratio of wall times and as a ratio of CPU times summed over ranks (the latter is the steadier
one when other jobs share the cores). Also Newton iterations per increment and peak memory
summed over ranks. Returns and prints the ratios; seconds only as the scale of the unit.

Full size (docs/numerics.md: ``--end-strain 0.1``, on 1 and 2 ranks; several minutes each):

    .venv/bin/python benchmarks/fem_step.py [--sizes 5e-4 2.5e-4] [--end-strain 0.1]
    scripts/mpirun -n 2 .venv/bin/python benchmarks/fem_step.py [--linear iterative]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _runs import CASES, parse_args, ratio
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation

CASE = CASES / "shear_strip.toml"
TINY = {"sizes": [4e-3], "end_strain": 0.04}


def elastic_solve_time(sim: Simulation, repeats: int = 3) -> tuple[float, float]:
    """Wall and CPU time (s; CPU summed over ranks) of the best of ``repeats`` elastic solves:
    assemble + PᵀAP + MUMPS factor/solve with the elastic tangent.

    The one place where a benchmark reaches into the solver (its elastic tangent and Jacobian
    assembly): stz_fem has no public entry point for an elastic solve yet.
    """
    solver = sim.solver
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        solver._elastic_tangent()
        sim.comm.Barrier()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        solver._assemble_jacobian()
        reduced = solver.A.PtAP(solver.constraints.P)
        ksp = PETSc.KSP().create(sim.comm)
        ksp.setOperators(reduced)
        ksp.setType("preonly")
        ksp.getPC().setType("lu")
        ksp.getPC().setFactorSolverType("mumps")
        rhs, x = reduced.createVecs()
        rhs.set(1.0)
        ksp.solve(rhs, x)
        cpu = sim.comm.allreduce(time.process_time() - cpu0)
        sim.comm.Barrier()
        best = min(best, (time.perf_counter() - wall0, cpu))
        for obj in (ksp, reduced, rhs, x):
            obj.destroy()
    return best


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the benchmark; returns one row per mesh (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5e-4, 2.5e-4],
                        help="element sizes at mid-height, m (grading 4: ≈ 52k and 205k dofs)")
    parser.add_argument("--end-strain", type=float, default=0.2)
    parser.add_argument("--linear", choices=("direct", "iterative"), default="direct",
                        help="linear solver of the Newton steps (the baseline stays MUMPS)")
    parser.add_argument("--out", help="run directories (default: a new temporary one)")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    out = Path(args.out or comm.bcast(tempfile.mkdtemp() if comm.rank == 0 else None, root=0))
    rows = []
    for h in args.sizes:
        data = read_case(CASE, [f"mesh.size={h}", "mesh.grading=4.0", "output.fields=false",
                                f"loading.end_strain={args.end_strain}",
                                f"solver.linear={args.linear}"])
        with Simulation(data, out / f"h{h:g}", comm) as sim:
            wall_elastic, cpu_elastic = elastic_solve_time(sim)
            summary = sim.run(progress=False)
        memory = comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        steps = summary["steps"]
        rows.append({
            "ranks": comm.size, "linear": args.linear, "h_m": h, "dofs": summary["dofs"],
            "increments": steps, "newton_per_increment": summary["newton_iterations"] / steps,
            "elastic_solve_wall_s": wall_elastic, "elastic_solve_cpu_s": cpu_elastic,
            "increment_in_elastic_solves_wall": ratio(summary["wall_time_s"] / steps,
                                                      wall_elastic),
            "increment_in_elastic_solves_cpu": ratio(summary["cpu_time_s"] / steps, cpu_elastic),
            "peak_memory_MiB": memory,
            "localization_index": summary["bands"]["localization_index"]})
        r = rows[-1]
        if comm.rank == 0:
            print(f"{comm.size} rank(s), {args.linear}, h {h:.2e} m, {r['dofs']} dofs: "
                  f"{steps} increments, {r['newton_per_increment']:.2f} Newton its each, each "
                  f"= {r['increment_in_elastic_solves_wall']:.2f} elastic solves in wall time, "
                  f"{r['increment_in_elastic_solves_cpu']:.2f} in CPU time (elastic solve "
                  f"{wall_elastic:.3f} s wall here); peak memory {memory:.0f} MiB; "
                  f"L = {r['localization_index']:.3f}", flush=True)
    return rows if comm.rank == 0 else None


if __name__ == "__main__":
    main()
