"""Annealed against rejuvenated glass in a notched bar (annealing-induced embrittlement).

Runs ``cases/notched_tension.toml`` with χ₀ = 600 K (annealed) and 680 K (rejuvenated) at
the case's 0.1 mm elements at the roots (two per ℓ_χ) to a nominal strain of 0.05, field
output every 0.001, reusing completed runs under --out (about 15 min each on one core).
Measures, for each χ₀, the localization onset (``load_history.localization_onset`` on the
field-output history), the plastic work dissipated before it, the peak nominal stress and L
along the way; the baseline is the other glass of the same study (annealed against
rejuvenated). Prints them, writes OUT/table.json and plots L, the flowing volume fraction, the
load and the plastic work against strain with the final plastic strain maps
(annealed_rejuvenated.png).

Full size (docs/validation.md; one rank, about 30 min):

    .venv/bin/python benchmarks/notched_annealing.py [--chi0 600 680] [--size 1e-4]
        [--end-strain 0.05] [--out results/notched]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from _runs import CASES, parse_args, run_case
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.material_point import read_curve
from stz_fem.postprocess.load_history import localization_onset
from stz_fem.results import frames, read_cells, read_summary

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = CASES / "notched_tension.toml"
TINY = {"size": 1e-3, "end_strain": 0.004}


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the study; returns one row per χ₀ (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chi0", type=float, nargs="+", default=[600.0, 680.0])
    parser.add_argument("--size", type=float, default=0.1e-3)
    parser.add_argument("--end-strain", type=float, default=0.05)
    parser.add_argument("--out", default="results/notched")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    runs, rows = [], []
    for chi0 in args.chi0:
        out = Path(args.out) / f"chi{chi0:g}"
        data = read_case(CASE, [f"mesh.size={args.size}", f"loading.end_strain={args.end_strain}",
                                f"material.chi0={chi0}", "output.interval=0.001",
                                f"title=notched bar, chi0 = {chi0:g} K"])
        run_case(data, out, comm)
        if comm.rank == 0:
            summary = read_summary(out)
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
            work = (None if onset is None else
                    float(np.interp(onset, history["nominal_strain"], history["plastic_work_J"])))
            rows.append({
                "chi0_K": chi0, "dofs": summary["dofs"], "steps": summary["steps"],
                "onset_nominal_strain": onset, "plastic_work_before_onset_J": work,
                "peak_nominal_stress_Pa": r["peak_nominal_stress_Pa"],
                "peak_nominal_strain": r["peak_nominal_strain"],
                "localization_index_at": {
                    f"{e:g}": float(np.interp(e, strain, curve["localization_index"]))
                    for e in (0.02, 0.03, 0.04) if e <= strain[-1]},
                "final_localization_index": float(curve["localization_index"][-1])})
            row = rows[-1]
            print(f"χ₀ = {chi0:g} K ({row['dofs']} dofs, {row['steps']} steps): onset "
                  + ("-" if onset is None else f"{onset:.4f}") + ", plastic work before it "
                  + ("-" if work is None else f"{work:.1f} J/m")
                  + f"; peak {row['peak_nominal_stress_Pa'] / 1e9:.3f} GPa at "
                  f"{row['peak_nominal_strain']:.4f}; L at 2/3/4 %: "
                  + " ".join(f"{v:.2f}" if (v := row["localization_index_at"].get(f"{e:g}"))
                             is not None else "-" for e in (0.02, 0.03, 0.04))
                  + f"; final L {row['final_localization_index']:.3f}", flush=True)
            runs.append((chi0, out, onset))
    if comm.rank != 0:
        return None
    Path(args.out, "table.json").write_text(json.dumps(rows, indent=1))
    plot(runs, Path(args.out) / "annealed_rejuvenated.png")
    return rows


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
