"""Cost of accuracy on the shear strip: CPU time, relative to a converged reference run, against
the error in stress and χ band width.

Measures: for candidates over mesh size, grading and a step-limit scale (solver.chi_increment,
plastic_increment and stress_increment multiplied by it), the final mean wall shear stress
(last row of curve.csv) and χ band FWHM with their relative errors against the reference, and
their CPU time (summed over ranks) as a fraction of the reference's. Baseline: the reference run
(h = 0.25 mm, grading 4, step limits divided by 4), timed in the same invocation, so the cost
ratios do not depend on the machine; runs reused with --resume carry times from an earlier
invocation and are flagged (``same_run`` false, † in the table). ℓ_χ = 2 mm (the case
default), loaded to a nominal strain of 0.2. Prints the table and the cheapest candidate with
stress error ≤ 0.3 % and χ FWHM error ≤ 5 %; writes OUT/table.json.

Full size (one rank, about an hour, most of it the reference):

    .venv/bin/python benchmarks/accuracy_cost.py [--out results/accuracy_cost] [--resume]
    .venv/bin/python benchmarks/accuracy_cost.py --sizes 2e-3 1e-3 --gradings 4 --scales 1 2
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import csv
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

from _runs import CASES, parse_args, ratio, run_case
from mpi4py import MPI

from stz_fem.cases import Solver, read_case

CASE = CASES / "shear_strip.toml"
LIMITS = ("chi_increment", "plastic_increment", "stress_increment")
DEFAULTS = {k: getattr(Solver(), k) for k in LIMITS}  # 5 K, 5e-3, 0.02 s_y
STRESS_TOL, WIDTH_TOL = 3e-3, 5e-2
TINY = {"sizes": [4e-3], "gradings": [2.0], "scales": [1.0, 2.0], "reference_size": 2e-3,
        "reference_grading": 2.0, "reference_scale": 0.5, "end_strain": 0.03}


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
    """One strip run; returns its row of the table (errors and cost ratio filled in later)."""
    overrides = [f"mesh.size={h}", f"mesh.grading={grading}", "output.fields=false",
                 f"loading.end_strain={end_strain}"]
    overrides += [f"solver.{k}={DEFAULTS[k] * scale}" for k in LIMITS]
    s, previous = run_case(read_case(CASE, overrides), out, comm, reuse=resume)
    b = s["bands"]
    stress = comm.bcast(final_stress(out) if comm.rank == 0 else None, root=0)
    return {"h_m": h, "grading": grading, "step_scale": scale, "dofs": s["dofs"],
            "steps": s["steps"], "newton_iterations": s["newton_iterations"],
            "cpu_time_s": s["cpu_time_s"], "wall_time_s": s["wall_time_s"],
            "final_stress_Pa": stress, "width_m": b["width_m"], "width_chi_m": b["width_chi_m"],
            "localization_index": b["localization_index"], "resumed": previous,
            "same_run": previous is None}


def main(argv: Sequence[str] | None = None) -> dict | None:
    """Runs the study; returns the table (rank 0; None on the others)."""
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
                             "interrupted ones from their checkpoint (their times are not of "
                             "this invocation: flagged †)")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    rank0 = comm.rank == 0
    root = Path(args.out)

    ref = run(args.reference_size, args.reference_grading, args.reference_scale,
              args.end_strain, root / "reference", comm, args.resume)
    ref["cpu_ratio"] = 1.0

    def mark(row: dict) -> str:
        return "" if row["same_run"] and ref["same_run"] else "†"

    if rank0:
        print(f"reference: h {ref['h_m']:.2e} m, grading {ref['grading']:g}, step scale "
              f"{ref['step_scale']:g}, {ref['dofs']} dofs, {ref['steps']} steps: "
              f"stress {ref['final_stress_Pa'] / 1e6:.4f} MPa, "
              f"FWHM(strain) {mm(ref['width_m'])} mm, "
              f"FWHM(chi) {mm(ref['width_chi_m'])} mm, "
              f"L {ref['localization_index']:.3f}; the unit of cost "
              f"({ref['cpu_time_s']:.1f} CPU-s here)"
              + (f" ({ref['resumed']} reused)" if ref["resumed"] else ""), flush=True)
        print(f"{'h (m)':>8} {'grad':>4} {'scale':>5} {'dofs':>7} {'steps':>5} "
              f"{'CPU / ref':>10} {'stress (MPa)':>12} {'err':>7} {'FWHM chi (mm)':>13} "
              f"{'err':>7}", flush=True)

    rows = []
    for h, grading, scale in itertools.product(args.sizes, args.gradings, args.scales):
        r = run(h, grading, scale, args.end_strain,
                root / f"h{h:g}_g{grading:g}_s{scale:g}", comm, args.resume)
        r["cpu_ratio"] = ratio(r["cpu_time_s"], ref["cpu_time_s"])
        r["stress_error"] = rel_error(r["final_stress_Pa"], ref["final_stress_Pa"])
        r["width_chi_error"] = rel_error(r["width_chi_m"], ref["width_chi_m"])
        r["accurate"] = (r["width_chi_error"] is not None and r["stress_error"] <= STRESS_TOL
                         and r["width_chi_error"] <= WIDTH_TOL)
        rows.append(r)
        if rank0:
            print(f"{h:8.2e} {grading:4g} {scale:5g} {r['dofs']:7d} {r['steps']:5d} "
                  f"{r['cpu_ratio']:9.2%}{mark(r):1} {r['final_stress_Pa'] / 1e6:12.4f} "
                  f"{r['stress_error']:7.2%} {mm(r['width_chi_m'], '13.3f'):>13} "
                  f"{pct(r['width_chi_error'], '7.2%'):>7}{'  *' if r['accurate'] else ''}",
                  flush=True)

    accurate = [r for r in rows if r["accurate"]]
    best = min(accurate, key=lambda r: r["cpu_ratio"]) if accurate else None
    if not rank0:
        return None
    if best is None:
        print(f"no candidate has stress error ≤ {STRESS_TOL:.1%} and χ FWHM error ≤ "
              f"{WIDTH_TOL:.0%}")
    else:
        print(f"cheapest with stress error ≤ {STRESS_TOL:.1%} and χ FWHM error ≤ "
              f"{WIDTH_TOL:.0%}: h {best['h_m']:.2e} m, grading {best['grading']:g}, "
              f"step scale {best['step_scale']:g}: {best['cpu_ratio']:.2%}{mark(best)} of the "
              f"reference's CPU time, stress error {best['stress_error']:.2%}, χ FWHM error "
              f"{best['width_chi_error']:.2%}")
    if any(mark(r) for r in rows):
        print("†: reused (--resume), the times are not all of this invocation")
    table = {"reference": ref, "candidates": rows, "best": best,
             "tolerances": {"stress": STRESS_TOL, "width_chi": WIDTH_TOL},
             "cost": "cpu_ratio: CPU time summed over ranks / the reference's"}
    root.mkdir(parents=True, exist_ok=True)
    (root / "table.json").write_text(json.dumps(table, indent=2))
    return table


if __name__ == "__main__":
    main()
