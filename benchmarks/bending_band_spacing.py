"""Band spacing on the tensile face of beams in pure bending, over thicknesses and seeds.

Runs ``cases/pure_bending.toml`` for thicknesses t (default 1, 1.5, 2, 3 and 4 mm) and seeds of
the random χ field (default 1, 2, 3) with the material and mesh of the case (ℓ_χ = 0.1 mm,
elements of 0.05 mm within 0.3 t of the tensile face, χ₀ ± 10 K with ξ = 0.1 mm; χ₀ = 600 K
as in the case or --chi0), beams 4t long, to a surface strain of 0.1. Runs go to
OUT/chi<χ₀>/t<t in mm>_seed<seed>. Completed runs of the same case under --out are reused.
At several strains it counts the bands on the tensile face two ways, the summary's (peaks of
the surface plastic strain with at least half the highest peak's prominence: the dominant
bands) and all bands (a fifth of it), and takes, with no threshold, the period of the surface
profile (its autocorrelation's first maximum, ``profiles.profile_period``). A beam's spacing is
the mean over those strains; the table gives, for each t, the mean and standard deviation over
the seeds and the spacing over t (Conner et al. 2004 measured spacing ≈ 0.1 t and proportional
to t), and a least-squares fit spacing = a + b t over all runs. Writes table.json and a
figure: plastic strain maps (first seed) and spacing against t. Baseline: the measured
spacing of Conner et al., 0.1 t (drawn in the figure; each thickness's spacing is also given
over t). No timing.

Full size (docs/validation.md: 15 beams, hours on one rank; rerunning reuses them):

    .venv/bin/python benchmarks/bending_band_spacing.py [--thicknesses 1e-3 2e-3] [--seeds 1 2] \
        [--chi0 560] [--set material.beta=0.1 ...] [--out results/bending]
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from _runs import CASES, case_run, parse_args
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.postprocess.specimen_results import surface_bands
from stz_fem.results import frames, read_cells

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CASE = CASES / "pure_bending.toml"
REPORT_AT = (0.05, 0.075, 0.1)
ALL_BANDS = 0.2   # prominence relative to the highest peak's, for "all bands"
KINDS = ("dominant", "all", "period")
LABELS = {"dominant": "dominant bands", "all": "all bands", "period": "profile period"}
TINY = {"thicknesses": [1e-3, 1.5e-3], "seeds": [1], "end_strain": 0.03, "mesh_size": 0.2e-3}


def main(argv: Sequence[str] | None = None) -> dict | None:
    """Runs the study; returns the table (rank 0; None on the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thicknesses", type=float, nargs="+",
                        default=[1e-3, 1.5e-3, 2e-3, 3e-3, 4e-3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--chi0", type=float, default=600.0,
                        help="initial effective temperature (K): 600 as in the case, lower "
                             "for an annealed glass")
    parser.add_argument("--end-strain", type=float, default=0.1)
    parser.add_argument("--mesh-size", type=float,
                        help="element size at the tensile face, m (default: the case's)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a further case override for every beam, e.g. material.beta=0.1 "
                             "or heat.mode=\"adiabatic\" (repeatable; use its own --out)")
    parser.add_argument("--out", default="results/bending")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    root = Path(args.out) / f"chi{args.chi0:g}"
    mesh = [] if args.mesh_size is None else [f"mesh.size={args.mesh_size}"]
    runs = [bend(t, seed, args.chi0, args.end_strain, root, comm, [*mesh, *args.set])
            for t in args.thicknesses for seed in args.seeds]
    if comm.rank != 0:
        return None
    thicknesses = sorted({r["thickness_m"] for r in runs})
    table = {"runs": runs, "by_thickness": [by_thickness(runs, t) for t in thicknesses],
             "fit": {kind: linear_fit(runs, kind) for kind in KINDS}}
    for row in table["by_thickness"]:
        t = row["thickness_m"]
        print(f"t {t * 1e3:g} mm over {row['seeds']} seeds:", flush=True)
        for kind in KINDS:
            mean, std = row[f"{kind}_mean_m"], row[f"{kind}_std_m"]
            print(f"  {kind:8s} spacing {mm(mean)} ± {mm(std)}"
                  + ("" if mean is None else f" = {mean / t:.2f} t"), flush=True)
    for kind, fit in table["fit"].items():
        print(f"fit over all runs, {LABELS[kind]}: " + (
            f"spacing = {mm(fit['intercept_m'])} + {fit['slope']:.3f} t "
            f"(r² = {fit['r2']:.2f}, {fit['runs']} runs)" if fit["slope"] is not None
            else f"- ({fit['runs']} runs with a spacing at fewer than two thicknesses)"))
    (root / "table.json").write_text(json.dumps(table, indent=1))
    plot(table, root)
    print(f"wrote {root / 'table.json'} and {root / 'band_spacing.png'}")
    return table


def bend(t: float, seed: int, chi0: float, end_strain: float, root: Path, comm: MPI.Comm,
         overrides: list[str]) -> dict | None:
    """Run (or reuse) the beam of thickness ``t`` (m) seeded with ``seed``, χ₀ = ``chi0`` (K),
    the case changed further by ``overrides``; on rank 0 its bands at the strains REPORT_AT
    reached by the loading (else at its end) and its spacings (m) averaged over them."""
    out = root / f"t{t * 1e3:g}_seed{seed}"
    data = read_case(CASE, [
        f"geometry.thickness={t}", f"geometry.length={4 * t}",
        f"geometry.refine_depth={0.3 * t:.6g}", f"loading.end_strain={end_strain}",
        "output.interval=0.01", f"title=pure bending t = {t * 1e3:g} mm",
        f"initial_chi.seed={seed}", f"material.chi0={chi0}", *overrides])
    with case_run(data, out, comm) as (sim, summary, _):
        if comm.rank != 0:
            return None
        outputs = [(sim.specimen.nominal_strain(time), path) for time, path in frames(out)]
        at = {}
        for strain in [e for e in REPORT_AT if e <= end_strain * (1 + 1e-9)] or [end_strain]:
            cells = read_cells(min(outputs, key=lambda o, s=strain: abs(o[0] - s))[1])
            dominant = surface_bands(sim.specimen, cells)
            at[f"{strain:g}"] = {
                "dominant": dominant,
                "all": surface_bands(sim.specimen, cells, threshold=ALL_BANDS),
                "period": {"spacing_m": dominant["period_m"]}}
    run = {"thickness_m": t, "seed": seed, "dofs": summary["dofs"], "steps": summary["steps"],
           "wall_time_s": summary["wall_time_s"], "at_strain": at,
           **{f"spacing_{kind}_m": mean_spacing(at, kind) for kind in KINDS}}
    counts = "; ".join(f"{kind} " + "/".join(str(v[kind]["count"]) for v in at.values())
                       for kind in KINDS[:2])
    print(f"t {t * 1e3:g} mm seed {seed} ({run['dofs']} dofs, {run['steps']} steps, "
          f"{run['wall_time_s']:.0f} s wall): bands at ε = {'/'.join(at)}: {counts}; spacing "
          f"dominant {mm(run['spacing_dominant_m'])}, all {mm(run['spacing_all_m'])}, period "
          f"{mm(run['spacing_period_m'])}",
          flush=True)
    return run


def mean_spacing(at: dict, kind: str) -> float | None:
    """Mean over the reported strains of the band spacing (m) counted as ``kind``."""
    spacings = [v[kind]["spacing_m"] for v in at.values() if v[kind]["spacing_m"] is not None]
    return float(np.mean(spacings)) if spacings else None


def by_thickness(runs: list[dict], t: float) -> dict:
    """Mean and standard deviation (m) over the seeds of the beams of thickness ``t``."""
    row = {"thickness_m": t, "seeds": sum(r["thickness_m"] == t for r in runs)}
    for kind in KINDS:
        values = [r[f"spacing_{kind}_m"] for r in runs
                  if r["thickness_m"] == t and r[f"spacing_{kind}_m"] is not None]
        row[f"{kind}_mean_m"] = float(np.mean(values)) if values else None
        row[f"{kind}_std_m"] = float(np.std(values)) if values else None
    return row


def linear_fit(runs: list[dict], kind: str) -> dict:
    """Least-squares spacing = intercept + slope·t over all runs with a spacing (None without
    spacings at two thicknesses at least)."""
    pairs = [(r["thickness_m"], r[f"spacing_{kind}_m"]) for r in runs
             if r[f"spacing_{kind}_m"] is not None]
    if len({t for t, _ in pairs}) < 2:
        return {"intercept_m": None, "slope": None, "r2": None, "runs": len(pairs)}
    t, spacing = np.array(pairs).T
    slope, intercept = np.polyfit(t, spacing, 1)
    residual = spacing - (intercept + slope * t)
    r2 = 1.0 - residual @ residual / np.sum((spacing - spacing.mean()) ** 2)
    return {"intercept_m": float(intercept), "slope": float(slope), "r2": float(r2),
            "runs": int(t.size)}


def mm(length: float | None) -> str:
    return "-" if length is None else f"{length * 1e3:.2f} mm"


def plot(table: dict, root: Path) -> None:
    rows = table["by_thickness"]
    fig = plt.figure(figsize=(11, 2.2 * len(rows) + 1))
    grid = fig.add_gridspec(len(rows), 2, width_ratios=(3, 1))
    for k, row in enumerate(rows):
        t = row["thickness_m"]
        run = min((r for r in table["runs"] if r["thickness_m"] == t), key=lambda r: r["seed"])
        cells = read_cells(frames(root / f"t{t * 1e3:g}_seed{run['seed']}")[-1][1])
        ax = fig.add_subplot(grid[k, 0])
        x, y = cells["coords"].T * 1e3
        ax.tripcolor(x, y, cells["plastic_strain"], shading="flat", cmap="inferno")
        ax.set_aspect("equal")
        ax.set_ylabel("y (mm)")
        ax.set_title(f"t = {t * 1e3:g} mm, seed {run['seed']}: accumulated plastic strain at "
                     "the end", fontsize=9)
    ax = fig.add_subplot(grid[:, 1])
    ts = np.array([r["thickness_m"] for r in rows]) * 1e3
    for kind, colour in zip(KINDS, ("C0", "C2", "C3"), strict=True):
        runs = [r for r in table["runs"] if r[f"spacing_{kind}_m"] is not None]
        ax.plot([r["thickness_m"] * 1e3 for r in runs],
                [r[f"spacing_{kind}_m"] * 1e3 for r in runs], ".", color=colour, alpha=0.5)
        mean = np.array([np.nan if r[f"{kind}_mean_m"] is None else r[f"{kind}_mean_m"]
                         for r in rows]) * 1e3
        std = np.array([np.nan if r[f"{kind}_std_m"] is None else r[f"{kind}_std_m"]
                        for r in rows]) * 1e3
        ax.errorbar(ts, mean, std, fmt="o-", color=colour, capsize=3,
                    label=f"{LABELS[kind]}, mean ± sd over seeds")
        fit = table["fit"][kind]
        if fit["slope"] is not None:
            ax.plot(ts, fit["intercept_m"] * 1e3 + fit["slope"] * ts, ":", color=colour,
                    label=f"fit {fit['intercept_m'] * 1e3:.2f} mm + {fit['slope']:.2f} t")
    ax.plot(ts, 0.1 * ts, "k--", label="0.1 t (Conner et al. 2004)")
    ax.set_xlabel("thickness t (mm)")
    ax.set_ylabel("band spacing on the tensile face (mm)")
    ax.set_ylim(0.0, 1.5 * ax.get_ylim()[1])  # room for the legend above the data
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(root / "band_spacing.png", dpi=120)


if __name__ == "__main__":
    main()
