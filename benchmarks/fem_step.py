"""Cost of a load increment of the shear strip, in units of one linear-elastic solve.

For each mesh, in the same run: the time of one elastic solve (assembly of the elastic
stiffness, PᵀAP, MUMPS factorization and solve) and the mean wall time per accepted load
increment of the strip (all its Newton iterations, local updates, χ diffusion and output
bookkeeping). Also Newton iterations per increment and peak memory summed over ranks.

    .venv/bin/python benchmarks/fem_step.py [--sizes 5e-4 2.5e-4] [--end-strain 0.1]
    scripts/mpirun -n 2 .venv/bin/python benchmarks/fem_step.py [--linear iterative]
"""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import resource
import tempfile
import time
from pathlib import Path

from mpi4py import MPI
from petsc4py import PETSc

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[1] / "cases" / "shear_strip.toml"


def elastic_solve_time(sim: Simulation, repeats: int = 3) -> float:
    """Best time of assemble + PᵀAP + MUMPS factor/solve with the elastic tangent, s."""
    solver = sim.solver
    best = float("inf")
    for _ in range(repeats):
        solver._elastic_tangent()
        sim.comm.Barrier()
        t0 = time.perf_counter()
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
        sim.comm.Barrier()
        best = min(best, time.perf_counter() - t0)
        for obj in (ksp, reduced, rhs, x):
            obj.destroy()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5e-4, 2.5e-4],
                        help="element sizes at mid-height, m (grading 4: ≈ 52k and 205k dofs)")
    parser.add_argument("--end-strain", type=float, default=0.2)
    parser.add_argument("--linear", choices=("direct", "iterative"), default="direct",
                        help="linear solver of the Newton steps (the baseline stays MUMPS)")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    out = Path(comm.bcast(tempfile.mkdtemp() if comm.rank == 0 else None, root=0))
    for h in args.sizes:
        data = read_case(CASE, [f"mesh.size={h}", "mesh.grading=4.0", "output.fields=false",
                                f"loading.end_strain={args.end_strain}",
                                f"solver.linear={args.linear}"])
        with Simulation(data, out / f"h{h:g}", comm) as sim:
            t_elastic = elastic_solve_time(sim)
            summary = sim.run(progress=False)
        memory = comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        if comm.rank == 0:
            per_step = summary["wall_time_s"] / summary["steps"]
            print(
                f"{comm.size} rank(s), {args.linear}, h {h:.2e} m, {summary['dofs']} dofs: "
                f"elastic solve "
                f"{t_elastic:.3f} s; {summary['steps']} increments, "
                f"{summary['newton_iterations'] / summary['steps']:.2f} Newton its each, "
                f"{per_step:.3f} s each = {per_step / t_elastic:.2f} elastic solves; "
                f"total {summary['wall_time_s']:.1f} s wall, {summary['cpu_time_s']:.1f} s CPU;"
                f" peak memory {memory:.0f} MiB; L = {summary['bands']['localization_index']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
