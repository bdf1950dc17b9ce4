"""Band angle against pressure sensitivity α: plane-strain bars in compression and tension.

Runs ``cases/uniaxial_bar.toml`` (a χ bump at the centre of a bar between frictionless
platens) in compression and tension with α = 0, 0.1 and 0.3, and measures the angle to the
loading axis of each arm of the X of bands that crosses at the bump
(``band_measures.crossing_band_angles`` on the accumulated plastic strain of the last field output,
leaving out 2 mm around the bump where the arms overlap). Baseline: the same mode at α = 0,
from which each angle's shift is given. Expected by the issue: 45° for α = 0; with α > 0 below
45° in compression and above in tension (Zr-based glasses: 43° and 54°, Zhang, Eckert &
Schultz 2003). Completed runs of the same case under --out are reused. Prints the table,
writes OUT/table.json and a figure of the plastic strain maps (band_orientation.png).

Full size (docs/validation.md; one rank, six runs):

    .venv/bin/python benchmarks/band_orientation.py [--size 0.25e-3] [--end-strain 0.06]
        [--alpha 0 0.1 0.3] [--out results/band_orientation]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from _runs import CASES, parse_args, run_case
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.postprocess.band_measures import crossing_band_angles
from stz_fem.results import frames, read_cells

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = CASES / "uniaxial_bar.toml"
BUMP = (0.0, 0.01)  # m, the χ bump of the case, where the arms cross
HOLE = 2e-3  # m
TINY = {"size": 2e-3, "end_strain": 0.03, "alpha": [0.0, 0.3]}


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the study; returns the table (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=0.25e-3, help="element size, m")
    parser.add_argument("--end-strain", type=float, default=0.06)
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.0, 0.1, 0.3])
    parser.add_argument("--out", default="results/band_orientation")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    rows, maps = [], []
    for mode in ("compression", "tension"):
        for alpha in args.alpha:
            out = Path(args.out) / f"{mode}_alpha{alpha:g}"
            data = read_case(CASE, [f"mesh.size={args.size}", f"loading.mode={mode}",
                                    f"material.alpha={alpha}",
                                    f"loading.end_strain={args.end_strain}"])
            summary, _ = run_case(data, out, comm)
            if comm.rank != 0:
                continue
            cells = read_cells(frames(out)[-1][1])
            slash, backslash = crossing_band_angles(
                cells["coords"], cells["volume"], cells["plastic_strain"], BUMP, HOLE)
            mean = 0.5 * (slash + backslash)
            # nan when α = 0 is not among --alpha or not yet run
            reference = next((r["mean_angle_deg"] for r in rows
                              if r["mode"] == mode and r["alpha"] == 0.0), float("nan"))
            rows.append({"mode": mode, "alpha": alpha, "angle_slash_deg": slash,
                         "angle_backslash_deg": backslash, "mean_angle_deg": mean,
                         "shift_from_alpha0_deg": mean - reference if alpha else 0.0,
                         "peak_stress_Pa": summary["specimen_results"]["peak_nominal_stress_Pa"],
                         "localization_index": summary["bands"]["localization_index"],
                         "dofs": summary["dofs"]})
            maps.append((f"{mode}, α = {alpha:g}: {mean:.2f}°", cells))
            print(f"{mode:11s} α = {alpha:<4g} arms {slash:6.2f}° {backslash:6.2f}°  mean "
                  f"{mean:6.2f}° ({rows[-1]['shift_from_alpha0_deg']:+.2f}° from α = 0)  peak "
                  f"{abs(rows[-1]['peak_stress_Pa']) / 1e9:.3f} GPa  "
                  f"L {rows[-1]['localization_index']:.2f}  ({summary['dofs']} dofs)",
                  flush=True)
    if comm.rank != 0:
        return None
    Path(args.out, "table.json").write_text(json.dumps(rows, indent=1))
    fig, axes = plt.subplots(1, len(maps), figsize=(3.2 * len(maps), 5.2))
    for ax, (title, cells) in zip(axes, maps, strict=True):
        x, y = cells["coords"].T * 1e3
        ax.tripcolor(x, y, cells["plastic_strain"], shading="flat", cmap="inferno")
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (mm)")
    axes[0].set_ylabel("y (mm), loading axis")
    fig.suptitle("accumulated plastic strain, plane-strain bars (uniaxial_bar.toml)")
    fig.tight_layout()
    fig.savefig(Path(args.out, "band_orientation.png"), dpi=130)
    print(f"wrote {Path(args.out, 'table.json')} and band_orientation.png")
    return rows


if __name__ == "__main__":
    main()
