"""Annealed against rejuvenated glass in a notched bar (annealing-induced embrittlement).

Runs ``cases/notched_tension.toml`` with χ₀ = 600 K (annealed) and 680 K (rejuvenated) at
the case's 0.1 mm elements at the roots (two per ℓ_χ) to a nominal strain of 0.05, field
output every 0.001, reusing completed runs under --out (about 15 min each on one core).
Prints the localization onset, the plastic work dissipated before it, the peak nominal
stress and L along the way, and plots L, the flowing volume fraction, the load and the
plastic work against strain with the final plastic strain maps.

    .venv/bin/python benchmarks/notched_annealing.py [--chi0 600 680] [--size 1e-4]
        [--end-strain 0.05] [--out results/notched]
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
from stz_fem.material_point import read_curve
from stz_fem.postprocess.load_history import localization_onset
from stz_fem.results import frames, read_cells
from stz_fem.simulation import Simulation

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = Path(__file__).resolve().parents[1] / "cases" / "notched_tension.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chi0", type=float, nargs="+", default=[600.0, 680.0])
    parser.add_argument("--size", type=float, default=0.1e-3)
    parser.add_argument("--end-strain", type=float, default=0.05)
    parser.add_argument("--out", default="results/notched")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    runs = []
    for chi0 in args.chi0:
        out = Path(args.out) / f"chi{chi0:g}"
        data = read_case(CASE, [f"mesh.size={args.size}", f"loading.end_strain={args.end_strain}",
                                f"material.chi0={chi0}", "output.interval=0.001",
                                f"title=notched bar, chi0 = {chi0:g} K"])
        with Simulation(data, out, comm) as sim:
            previous = sim.previous_run()
            if previous != "completed":
                sim.run(progress=False, restart=previous == "checkpoint")
        if comm.rank == 0:
            summary = json.loads((out / "summary.json").read_text())
            # from the field-output history as the summary does, so that runs reused from an
            # older version get today's onset
            history = {key: np.array([h[key] for h in summary["band_history"]])
                       for key in ("nominal_strain", "localization_index", "flowing_fraction",
                                   "plastic_work_J")}
            onset = localization_onset(history["nominal_strain"],
                                       history["localization_index"],
                                       flowing=history["flowing_fraction"])
            curve = read_curve(out / "curve.csv")
            strain = curve["nominal_strain"]
            r = summary["specimen_results"]
            print(f"χ₀ = {chi0:g} K ({summary['dofs']} dofs, {summary['steps']} steps): onset "
                  + ("-" if onset is None else f"{onset:.4f}") + ", plastic work before it "
                  + ("-" if onset is None else
                     f"{np.interp(onset, history['nominal_strain'], history['plastic_work_J']):.1f}"
                     " J/m")
                  + f"; peak {r['peak_nominal_stress_Pa'] / 1e9:.3f} GPa at "
                  f"{r['peak_nominal_strain']:.4f}; L at 2/3/4 %: "
                  + " ".join(f"{np.interp(e, strain, curve['localization_index']):.2f}"
                             if e <= strain[-1] else "-" for e in (0.02, 0.03, 0.04))
                  + f"; final L {curve['localization_index'][-1]:.3f}", flush=True)
            runs.append((chi0, out, onset))
    if comm.rank == 0:
        plot(runs, Path(args.out) / "annealed_rejuvenated.png")


def plot(runs: list, path: Path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    panels = (("mean_stress_Pa", 1e-9, "nominal stress (GPa)"),
              ("localization_index", 1.0, "localization index L"),
              ("plastic_work_J", 1.0, "plastic work (J per m)"),
              ("flowing_fraction", 1.0, "volume fraction with D > 0"))
    for chi0, out, onset in runs:
        curve = read_curve(out / "curve.csv")
        for ax, (key, scale, label) in zip(axes.flat, panels, strict=False):
            ax.plot(curve["nominal_strain"], curve[key] * scale, label=f"χ₀ = {chi0:g} K")
            ax.set_ylabel(label)
            ax.set_xlabel("nominal strain")
        if onset is not None:
            axes[0, 1].axvline(onset, ls=":", color=axes[0, 1].lines[-1].get_color())
    axes[0, 1].axhline(0.5, ls="--", color="grey", lw=0.8)
    axes[1, 0].axhline(0.05, ls="--", color="grey", lw=0.8)
    axes[0, 0].legend()
    for ax, (chi0, out, _) in zip(axes[1, 1:], runs, strict=False):
        cells = read_cells(frames(out)[-1][1])
        x, y = cells["coords"].T * 1e3
        ax.tripcolor(x, y, cells["plastic_strain"], shading="flat", cmap="inferno")
        ax.set_aspect("equal")
        ax.set_ylim(7, 23)
        ax.set_title(f"χ₀ = {chi0:g} K: plastic strain at the end", fontsize=9)
        ax.set_xlabel("x (mm)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
