"""Band angle against pressure sensitivity α and dilatancy β: plane-strain bars in
compression and tension.

Runs ``cases/uniaxial_bar.toml`` (a χ bump at the centre of a bar between frictionless
platens) in compression and tension for every α of --alpha and β of --beta (default α = 0,
0.1, 0.3 and β = 0), and measures the angle to the
loading axis of each arm of the X of bands that crosses at the bump
(``band_measures.crossing_band_angles`` on the accumulated plastic strain of the last field output,
leaving out 2 mm around the bump where the arms overlap). Baseline: the same mode at α = 0,
from which each angle's shift is given. Expected by the issue: 45° for α = 0; with α > 0 below
45° in compression and above in tension (Zr-based glasses: 43° and 54°, Zhang, Eckert &
Schultz 2003). Each row also gives the Rudnicki–Rice angle for the same (α, β, ν)
(``theory.plane_strain_band_angles``, docs/model.md §2.2) and the zero-extension angle of the
plastic flow (``theory.plane_strain_zero_extension_angles``). Completed runs of the same case
under --out are reused. Prints the table, writes OUT/table.json, a figure of the plastic
strain maps (band_orientation.png; with several β only the runs with β = α or β = 0 and
α = 0) and one of the measured against the predicted angles (band_angles_theory.png).

Full size (docs/validation.md; one rank, six runs):

    .venv/bin/python benchmarks/band_orientation.py [--size 0.25e-3] [--end-strain 0.06]
        [--alpha 0 0.1 0.3] [--beta 0] [--out results/band_orientation]
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
from stz_fem.material import load
from stz_fem.postprocess.band_measures import crossing_band_angles
from stz_fem.results import frames, read_cells
from stz_fem.theory import plane_strain_band_angles, plane_strain_zero_extension_angles

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = CASES / "uniaxial_bar.toml"
BUMP = (0.0, 0.01)  # m, the χ bump of the case, where the arms cross
HOLE = 2e-3  # m
TINY = {"size": 2e-3, "end_strain": 0.03, "alpha": [0.0, 0.3], "beta": [0.0]}


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the study; returns the table (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=0.25e-3, help="element size, m")
    parser.add_argument("--end-strain", type=float, default=0.06)
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.0, 0.1, 0.3])
    parser.add_argument("--beta", type=float, nargs="+", default=[0.0],
                        help="dilatancy values; every (α, β) pair is run")
    parser.add_argument("--out", default="results/band_orientation")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    rows, maps = [], []
    nu = load("vitreloy1").nu  # the case's material
    for mode in ("compression", "tension"):
        for beta in args.beta:
            for alpha in args.alpha:
                row, cells = _run(args, mode, alpha, beta, nu, rows, comm)
                if row is None:
                    continue
                rows.append(row)
                if len(args.beta) == 1 or beta == alpha:
                    maps.append((f"{mode}, α = {alpha:g}, β = {beta:g}: "
                                 f"{row['mean_angle_deg']:.2f}°", cells))
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
    plt.close(fig)
    _theory_figure(rows, Path(args.out, "band_angles_theory.png"))
    print(f"wrote {Path(args.out, 'table.json')}, band_orientation.png and "
          "band_angles_theory.png")
    return rows


def _run(args, mode: str, alpha: float, beta: float, nu: float, rows: list[dict], comm):
    """One bar: its table row and cell fields (rank 0), or (None, None) on the others."""
    name = f"{mode}_alpha{alpha:g}" + (f"_beta{beta:g}" if beta else "")
    out = Path(args.out) / name
    data = read_case(CASE, [f"mesh.size={args.size}", f"loading.mode={mode}",
                            f"material.alpha={alpha}", f"material.beta={beta}",
                            f"loading.end_strain={args.end_strain}"])
    summary, _ = run_case(data, out, comm)
    if comm.rank != 0:
        return None, None
    cells = read_cells(frames(out)[-1][1])
    slash, backslash = crossing_band_angles(
        cells["coords"], cells["volume"], cells["plastic_strain"], BUMP, HOLE)
    mean = 0.5 * (slash + backslash)
    # nan when α = β = 0 is not among the runs (or not yet run)
    reference = next((r["mean_angle_deg"] for r in rows if r["mode"] == mode
                      and r["alpha"] == 0.0 and r["beta"] == 0.0), float("nan"))
    theory = getattr(plane_strain_band_angles(alpha, beta, nu), mode)
    row = {"mode": mode, "alpha": alpha, "beta": beta, "angle_slash_deg": slash,
           "angle_backslash_deg": backslash, "mean_angle_deg": mean,
           "shift_from_alpha0_deg": mean - reference if alpha or beta else 0.0,
           "rudnicki_rice_deg": theory,
           "zero_extension_deg": getattr(plane_strain_zero_extension_angles(beta), mode),
           "peak_stress_Pa": summary["specimen_results"]["peak_nominal_stress_Pa"],
           "localization_index": summary["bands"]["localization_index"],
           "dofs": summary["dofs"], "cpu_s": summary["cpu_time_s"]}
    print(f"{mode:11s} α = {alpha:<4g} β = {beta:<4g} arms {slash:6.2f}° {backslash:6.2f}°  "
          f"mean {mean:6.2f}° (theory {theory:6.2f}°, {row['shift_from_alpha0_deg']:+.2f}° "
          f"from α = β = 0)  peak {abs(row['peak_stress_Pa']) / 1e9:.3f} GPa  "
          f"L {row['localization_index']:.2f}  ({summary['dofs']} dofs)", flush=True)
    return row, cells


def _theory_figure(rows: list[dict], path: Path) -> None:
    """Measured mean arm angle against the Rudnicki–Rice angle and against the zero-extension
    angle of the plastic flow, one marker per run, coloured by β."""
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.4))
    top = max(0.15, *(r["beta"] for r in rows))
    for ax, key, label in ((axes[0], "rudnicki_rice_deg", "predicted: Rudnicki–Rice (°)"),
                           (axes[1], "zero_extension_deg", "predicted: zero extension (°)")):
        low = min(min(r[key], r["mean_angle_deg"]) for r in rows) - 1.0
        high = max(max(r[key], r["mean_angle_deg"]) for r in rows) + 1.0
        ax.fill_between([low, high], [low - 1, high - 1], [low + 1, high + 1], color="0.88",
                        label="±1°", zorder=0)
        ax.plot([low, high], [low, high], "k-", lw=0.8, label="equal", zorder=1)
        for mode, marker in (("compression", "v"), ("tension", "^")):
            sel = [r for r in rows if r["mode"] == mode]
            points = ax.scatter([r[key] for r in sel], [r["mean_angle_deg"] for r in sel],
                                c=[r["beta"] for r in sel], marker=marker, cmap="viridis",
                                vmin=0.0, vmax=top, edgecolors="k", linewidths=0.4,
                                label=mode, zorder=2)
        ax.set_xlabel(label)
        ax.set_ylabel("measured band angle to the loading axis (°)")
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    fig.colorbar(points, ax=axes, label="β")
    fig.savefig(path, dpi=130)
    plt.close(fig)


if __name__ == "__main__":
    main()
