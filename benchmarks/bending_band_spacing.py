"""Band spacing on the tensile face of beams in pure bending, over several thicknesses.

Runs ``cases/pure_bending.toml`` for thicknesses t (default 1, 1.5, 2, 3 and 4 mm) with the
material and mesh of the case (ℓ_χ = 0.1 mm, elements of 0.05 mm within 0.3 t of the tensile
face, a random χ field with ξ = 0.1 mm), beams 4t long, to a surface strain of 0.1. Completed
runs of the same case under --out are reused. At several strains it prints the bands on the
tensile face counted two ways: the summary's (peaks of the surface plastic strain with at
least half the highest peak's prominence: the dominant bands) and all bands (a fifth of it),
with their mean spacings and the spacing over t (Conner et al. 2004 measured spacing ≈ 0.1 t
and proportional to t). Writes table.json and a figure: plastic strain maps and spacing
against t.

    .venv/bin/python benchmarks/bending_band_spacing.py [--thicknesses 1e-3 2e-3 4e-3]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import json
from pathlib import Path

import matplotlib
import numpy as np
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.results import frames, read_cells
from stz_fem.simulation import Simulation

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = Path(__file__).resolve().parents[1] / "cases" / "pure_bending.toml"
REPORT_AT = (0.05, 0.075, 0.1)
ALL_BANDS = 0.2   # prominence relative to the highest peak's, for "all bands"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thicknesses", type=float, nargs="+",
                        default=[1e-3, 1.5e-3, 2e-3, 3e-3, 4e-3])
    parser.add_argument("--end-strain", type=float, default=0.1)
    parser.add_argument("--out", default="results/bending")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    rows = []
    for t in args.thicknesses:
        out = Path(args.out) / f"t{t * 1e3:g}"
        data = read_case(CASE, [
            f"geometry.thickness={t}", f"geometry.length={4 * t}",
            f"geometry.refine_depth={0.3 * t:.6g}", f"loading.end_strain={args.end_strain}",
            "output.interval=0.01", f"title=pure bending t = {t * 1e3:g} mm"])
        with Simulation(data, out, comm) as sim:
            previous = sim.previous_run()
            if previous != "completed":
                sim.run(progress=False, restart=previous == "checkpoint")
            if comm.rank != 0:
                continue
            outputs = [(sim.specimen.nominal_strain(time), path) for time, path in frames(out)]
            at = {}
            for strain in REPORT_AT:
                path = min(outputs, key=lambda o, s=strain: abs(o[0] - s))[1]
                cells = read_cells(path)
                at[f"{strain:g}"] = {
                    "dominant": sim.specimen.surface_bands(cells),
                    "all": sim.specimen.surface_bands(cells, threshold=ALL_BANDS)}
        summary = json.loads((out / "summary.json").read_text())
        rows.append({"thickness_m": t, "dofs": summary["dofs"], "steps": summary["steps"],
                     "wall_time_s": summary["wall_time_s"], "at_strain": at,
                     **{f"mean_spacing_{kind}_m": mean_spacing(at, kind)
                        for kind in ("dominant", "all")}})
        print(f"t {t * 1e3:g} mm ({summary['dofs']} dofs, {summary['steps']} steps, "
              f"{summary['wall_time_s']:.0f} s):", flush=True)
        for kind in ("dominant", "all"):
            cells = " ".join(f"ε {s}: {v[kind]['count']} bands, {mm(v[kind]['spacing_m'])};"
                             for s, v in at.items())
            mean = rows[-1][f"mean_spacing_{kind}_m"]
            print(f"  {kind:8s} {cells} mean spacing {mm(mean)}"
                  + ("" if mean is None else f" = {mean / t:.2f} t"), flush=True)
    if comm.rank == 0:
        root = Path(args.out)
        (root / "table.json").write_text(json.dumps(rows, indent=1))
        plot(rows, root)
        print(f"wrote {root / 'table.json'} and {root / 'band_spacing.png'}")


def mean_spacing(at: dict, kind: str) -> float | None:
    """Mean over the reported strains of the band spacing (m) counted as ``kind``."""
    spacings = [v[kind]["spacing_m"] for v in at.values() if v[kind]["spacing_m"] is not None]
    return float(np.mean(spacings)) if spacings else None


def mm(length: float | None) -> str:
    return "-" if length is None else f"{length * 1e3:.2f} mm"


def plot(rows: list[dict], root: Path) -> None:
    fig = plt.figure(figsize=(11, 2.2 * len(rows) + 1))
    grid = fig.add_gridspec(len(rows), 2, width_ratios=(3, 1))
    for k, row in enumerate(rows):
        t = row["thickness_m"]
        cells = read_cells(frames(root / f"t{t * 1e3:g}")[-1][1])
        ax = fig.add_subplot(grid[k, 0])
        x, y = cells["coords"].T * 1e3
        ax.tripcolor(x, y, cells["plastic_strain"], shading="flat", cmap="inferno")
        ax.set_aspect("equal")
        ax.set_ylabel("y (mm)")
        ax.set_title(f"t = {t * 1e3:g} mm: accumulated plastic strain at the end", fontsize=9)
    ax = fig.add_subplot(grid[:, 1])
    ts = np.array([r["thickness_m"] * 1e3 for r in rows])
    for kind, marker in (("dominant", "o"), ("all", "s")):
        for strain, style in zip(REPORT_AT[::2], ("-", ":"), strict=True):
            s = [r["at_strain"][f"{strain:g}"][kind]["spacing_m"] for r in rows]
            ax.plot(ts, [np.nan if v is None else v * 1e3 for v in s], marker + style,
                    label=f"{kind} bands, surface strain {strain:g}")
    ax.plot(ts, 0.1 * ts, "k--", label="0.1 t (Conner et al. 2004)")
    ax.set_xlabel("thickness t (mm)")
    ax.set_ylabel("band spacing on the tensile face (mm)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(root / "band_spacing.png", dpi=120)


if __name__ == "__main__":
    main()
