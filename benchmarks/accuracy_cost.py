"""Cost of accuracy on the shear strip: CPU time against error in stress and χ band width.

ℓ_χ = 2 mm (the case default), loaded to a nominal strain of 0.2 on one rank. A reference run
(h = 0.25 mm, grading 4, step limits — solver.chi_increment, plastic_increment and
stress_increment — divided by 4) is compared with candidates over mesh size, grading and a
step-limit scale (limits multiplied by it): CPU seconds, final mean wall shear stress (last
row of curve.csv) and χ band FWHM, with their relative errors. Prints the table and the
cheapest candidate with stress error ≤ 0.3 % and χ FWHM error ≤ 5 %; writes table.json.

    .venv/bin/python benchmarks/accuracy_cost.py [--out DIR] [--reference-size 2.5e-4]
    .venv/bin/python benchmarks/accuracy_cost.py --sizes 2e-3 1e-3 --gradings 4 --scales 1 2
    .venv/bin/python benchmarks/accuracy_cost.py --resume   (after an interruption)
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import csv
import itertools
import json
from pathlib import Path

from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation
from stz_fem.specimens.base import COMMON_SCHEMA

CASE = Path(__file__).resolve().parents[1] / "cases" / "shear_strip.toml"
LIMITS = ("chi_increment", "plastic_increment", "stress_increment")
DEFAULTS = {k: COMMON_SCHEMA["solver"][k].default for k in LIMITS}  # 5 K, 5e-3, 0.02 s_y
STRESS_TOL, WIDTH_TOL = 3e-3, 5e-2


def final_stress(run_dir: Path) -> float:
    """Mean wall shear stress of the last row of ``curve.csv``, Pa."""
    with open(run_dir / "curve.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return float(rows[-1]["mean_stress_Pa"])


def mm(width: float | None, spec: str = ".3f") -> str:
    """A band width in mm, or "-" when no band was found."""
    return "-" if width is None else format(width * 1e3, spec)


def rel_error(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return abs(value / reference - 1)


def pct(error: float | None, spec: str = ".2%") -> str:
    return "-" if error is None else format(error, spec)


def run(h: float, grading: float, scale: float, end_strain: float, out: Path,
        comm: MPI.Comm, resume: bool) -> dict:
    """One strip run; returns its row of the table (errors filled in later)."""
    overrides = [f"mesh.size={h}", f"mesh.grading={grading}", "output.fields=false",
                 f"loading.end_strain={end_strain}"]
    overrides += [f"solver.{k}={DEFAULTS[k] * scale}" for k in LIMITS]
    data = read_case(CASE, overrides)
    with Simulation(data, out, comm) as sim:
        previous = sim.previous_run() if resume else None
        if previous == "completed":
            s = json.loads((out / "summary.json").read_text())
        else:
            s = sim.run(progress=False, restart=previous == "checkpoint")
    b = s["bands"]
    stress = comm.bcast(final_stress(out) if comm.rank == 0 else None, root=0)
    return {"h_m": h, "grading": grading, "step_scale": scale, "dofs": s["dofs"],
            "steps": s["steps"], "newton_iterations": s["newton_iterations"],
            "cpu_time_s": s["cpu_time_s"], "wall_time_s": s["wall_time_s"],
            "final_stress_Pa": stress, "width_m": b["width_m"], "width_chi_m": b["width_chi_m"],
            "localization_index": b["localization_index"], "resumed": previous}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[2e-3, 1e-3, 5e-4],
                        help="candidate element sizes at mid-height, m")
    parser.add_argument("--gradings", type=float, nargs="+", default=[2.0, 4.0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0],
                        help="step limits multiplied by this (1: the case defaults)")
    parser.add_argument("--reference-size", type=float, default=2.5e-4)
    parser.add_argument("--reference-grading", type=float, default=4.0)
    parser.add_argument("--reference-scale", type=float, default=0.25)
    parser.add_argument("--end-strain", type=float, default=0.2)
    parser.add_argument("--out", default="results/accuracy_cost")
    parser.add_argument("--resume", action="store_true",
                        help="reuse completed runs of the same case under --out and continue "
                             "interrupted ones from their checkpoint (times accumulate)")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    rank0 = comm.rank == 0
    root = Path(args.out)

    ref = run(args.reference_size, args.reference_grading, args.reference_scale,
              args.end_strain, root / "reference", comm, args.resume)
    if rank0:
        print(f"reference: h {ref['h_m']:.2e} m, grading {ref['grading']:g}, step scale "
              f"{ref['step_scale']:g}, {ref['dofs']} dofs, {ref['steps']} steps, "
              f"{ref['cpu_time_s']:.1f} s CPU, {ref['wall_time_s']:.1f} s wall: "
              f"stress {ref['final_stress_Pa'] / 1e6:.4f} MPa, "
              f"FWHM(strain) {mm(ref['width_m'])} mm, "
              f"FWHM(chi) {mm(ref['width_chi_m'])} mm, "
              f"L {ref['localization_index']:.3f}"
              + (f" ({ref['resumed']} reused)" if ref["resumed"] else ""), flush=True)
        print(f"{'h (m)':>8} {'grad':>4} {'scale':>5} {'dofs':>7} {'steps':>5} {'CPU (s)':>8} "
              f"{'stress (MPa)':>12} {'err':>7} {'FWHM chi (mm)':>13} {'err':>7}", flush=True)

    rows = []
    for h, grading, scale in itertools.product(args.sizes, args.gradings, args.scales):
        r = run(h, grading, scale, args.end_strain,
                root / f"h{h:g}_g{grading:g}_s{scale:g}", comm, args.resume)
        r["stress_error"] = rel_error(r["final_stress_Pa"], ref["final_stress_Pa"])
        r["width_chi_error"] = rel_error(r["width_chi_m"], ref["width_chi_m"])
        r["accurate"] = (r["width_chi_error"] is not None and r["stress_error"] <= STRESS_TOL
                         and r["width_chi_error"] <= WIDTH_TOL)
        rows.append(r)
        if rank0:
            print(f"{h:8.2e} {grading:4g} {scale:5g} {r['dofs']:7d} {r['steps']:5d} "
                  f"{r['cpu_time_s']:8.1f} {r['final_stress_Pa'] / 1e6:12.4f} "
                  f"{r['stress_error']:7.2%} {mm(r['width_chi_m'], '13.3f'):>13} "
                  f"{pct(r['width_chi_error'], '7.2%'):>7}{'  *' if r['accurate'] else ''}",
                  flush=True)

    accurate = [r for r in rows if r["accurate"]]
    best = min(accurate, key=lambda r: r["cpu_time_s"]) if accurate else None
    if rank0:
        if best is None:
            print(f"no candidate has stress error ≤ {STRESS_TOL:.1%} and χ FWHM error ≤ "
                  f"{WIDTH_TOL:.0%}")
        else:
            print(f"cheapest with stress error ≤ {STRESS_TOL:.1%} and χ FWHM error ≤ "
                  f"{WIDTH_TOL:.0%}: h {best['h_m']:.2e} m, grading {best['grading']:g}, "
                  f"step scale {best['step_scale']:g}: {best['cpu_time_s']:.1f} s CPU "
                  f"({best['cpu_time_s'] / ref['cpu_time_s']:.1%} of the reference), stress "
                  f"error {best['stress_error']:.2%}, χ FWHM error {best['width_chi_error']:.2%}")
        root.mkdir(parents=True, exist_ok=True)
        (root / "table.json").write_text(json.dumps(
            {"reference": ref, "candidates": rows, "best": best,
             "tolerances": {"stress": STRESS_TOL, "width_chi": WIDTH_TOL}}, indent=2))


if __name__ == "__main__":
    main()
