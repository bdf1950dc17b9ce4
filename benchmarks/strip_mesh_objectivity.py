"""Mesh objectivity of the shear-strip band: FWHM at h and h/2 with ℓ_χ = 2 mm and ℓ_χ = 0,
and what the refinement costs.

Measures the band's plastic-strain and χ FWHM and L at each element size, and the change of
the widths from h to h/2 for each ℓ_χ. With ℓ_χ > 0 resolved by ≥ 2 elements the band width
should converge (≤ 10 % change from h to h/2); with ℓ_χ = 0 nothing sets a length and the band
shrinks with the mesh. Cost: each run's CPU time (summed over ranks) against the baseline of
the first run of the same invocation (the first ℓ_χ at the first size), and the cost of each
h → h/2 step as the ratio of the two runs' CPU times; wall times are kept in table.json but
not compared (other jobs share the cores). The default grading 2 keeps the element rows within
1.05 h over ±3 mm of mid-height, where the bands are (χ FWHM ~4.3 mm); with grading 4 the
second row is already 1.3 h high. Writes OUT/table.json.

Full size (one rank; the ℓ_χ = 2 mm pair takes about 5 CPU-minutes, ℓ_χ = 0 longer):

    .venv/bin/python benchmarks/strip_mesh_objectivity.py [--sizes 1e-3 5e-4] [--l-chi 2e-3 0]
        [--grading 2] [--out results/mesh_objectivity]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

from _runs import CASES, parse_args, ratio, run_case
from mpi4py import MPI

from stz_fem.cases import read_case

CASE = CASES / "shear_strip.toml"
TINY = {"sizes": [4e-3, 2e-3], "end_strain": 0.03}


def change(new: float | None, old: float | None) -> float | None:
    """Relative change from ``old`` to ``new`` (None when either band was not found)."""
    return None if new is None or old is None else new / old - 1


def mm(width: float | None) -> str:
    return "     -" if width is None else f"{width * 1e3:6.3f}"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def main(argv: Sequence[str] | None = None) -> dict | None:
    """Runs the study; returns the table (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e-3, 5e-4])
    parser.add_argument("--l-chi", type=float, nargs="+", default=[2e-3, 0.0])
    parser.add_argument("--grading", type=float, default=2.0)
    parser.add_argument("--end-strain", type=float, default=0.2)
    parser.add_argument("--out", default="results/mesh_objectivity")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    rank0 = comm.rank == 0
    rows = []
    for l_chi, h in itertools.product(args.l_chi, args.sizes):
        out = Path(args.out) / f"l{l_chi:g}_h{h:g}_g{args.grading:g}"
        data = read_case(CASE, [f"mesh.size={h}", f"mesh.grading={args.grading}",
                                f"material.l_chi={l_chi}", "output.fields=false",
                                f"loading.end_strain={args.end_strain}"])
        s, _ = run_case(data, out, comm, reuse=False)  # timed here: never reused
        rows.append({"l_chi_m": l_chi, "h_m": h, "grading": args.grading, "dofs": s["dofs"],
                     "steps": s["steps"], "cpu_time_s": s["cpu_time_s"],
                     "wall_time_s": s["wall_time_s"],
                     "cpu_ratio": ratio(s["cpu_time_s"], rows[0]["cpu_time_s"] if rows
                                        else s["cpu_time_s"]),
                     **{k: s["bands"][k] for k in ("localization_index", "onset_nominal_strain",
                                                   "width_m", "width_chi_m")}})
        r = rows[-1]
        if rank0:
            print(f"l_chi {l_chi:7.1e} m  h {h:7.1e} m  dofs {r['dofs']:7d}  "
                  f"L {r['localization_index']:.3f}  FWHM(strain) {mm(r['width_m'])} mm  "
                  f"FWHM(chi) {mm(r['width_chi_m'])} mm  CPU {r['cpu_ratio']:6.2f}× the first "
                  f"run's", flush=True)
    refinements = []
    for l_chi in args.l_chi:
        sub = [r for r in rows if r["l_chi_m"] == l_chi]
        for a, b in itertools.pairwise(sub):
            refinements.append({
                "l_chi_m": l_chi, "from_h_m": a["h_m"], "to_h_m": b["h_m"],
                "width_change": change(b["width_m"], a["width_m"]),
                "width_chi_change": change(b["width_chi_m"], a["width_chi_m"]),
                "cpu_ratio": ratio(b["cpu_time_s"], a["cpu_time_s"])})
            f = refinements[-1]
            if rank0:
                print(f"l_chi {l_chi:g}: h {a['h_m']:g} -> {b['h_m']:g}: strain FWHM changes "
                      f"{pct(f['width_change'])}, chi FWHM {pct(f['width_chi_change'])}; "
                      f"costs {f['cpu_ratio']:.2f}× the CPU time")
    if not rank0:
        return None
    table = {"runs": rows, "refinements": refinements,
             "cost": "cpu_ratio: CPU time summed over ranks / the first run's (runs) or the "
                     "coarser run's (refinements), all timed in this invocation"}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "table.json").write_text(json.dumps(table, indent=2))
    return table


if __name__ == "__main__":
    main()
