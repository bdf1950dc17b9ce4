"""Peak band temperature from plastic-work heating (docs/model.md §3.1) against the loading rate.

Runs the shear strip (``cases/shear_strip.toml``, nominal engineering shear rate 2v/H) and the
notched bar (``cases/notched_tension.toml``, nominal strain rate v/L) at nominal rates of
1e-3, 1 and 1e3 1/s with a temperature field: "conducting" (Vitreloy 1, k = ``--conductivity``,
the walls or grips held at the bath temperature, every other face insulated) and "adiabatic"
(no conduction: the upper bound). Coarse meshes (``--strip-size``, ``--notch-size``); completed
runs under --out are reused. Measures the largest temperature of any quadrature point over the
run (curve.csv ``max_temperature_K``) and its rise over the bath; the baseline is the adiabatic
run of the same specimen and rate. Prints them, writes OUT/table.json and plots the peak
temperature against the nominal strain (band_heating.png).

Full size (docs/validation.md; one rank, about 20 min):

    .venv/bin/python benchmarks/band_heating.py [--rates 1e-3 1 1e3] [--out results/heating]
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
from stz_fem.material_point import read_curve

matplotlib.use("Agg")
import matplotlib.pyplot as plt

TINY = {"rates": [1.0], "modes": ["conducting"], "strip_size": 5e-3, "notch_size": 1e-3,
        "strip_strain": 0.03, "notch_strain": 0.004}
MODES = ("conducting", "adiabatic")


def specimen_overrides(specimen: str, rate: float, args: argparse.Namespace) -> list[str]:
    """Mesh, loading rate and end strain of one specimen (the case files' geometry)."""
    if specimen == "shear_strip":
        return [f"mesh.size={args.strip_size}", "mesh.grading=2.0",
                f"loading.wall_velocity={rate * 0.02 / 2.0}",  # 2v/H, H = 0.02 m
                f"loading.end_strain={args.strip_strain}"]
    return [f"mesh.size={args.notch_size}", "mesh.grading=5.0",
            f"loading.grip_velocity={rate * 0.03}",  # v/L, L = 0.03 m
            f"loading.end_strain={args.notch_strain}", "output.interval=0.004"]


def heat_overrides(mode: str, conductivity: float) -> list[str]:
    """The [heat] section: walls (strip) or grips (bar), both named top and bottom."""
    if mode == "adiabatic":
        return ['heat.mode="adiabatic"']
    return ['heat.mode="conducting"', f"material.conductivity={conductivity}",
            "heat.boundary.top={temperature=400.0}", "heat.boundary.bottom={temperature=400.0}"]


def main(argv: Sequence[str] | None = None) -> list[dict] | None:
    """Runs the study; returns one row per specimen, rate and mode (rank 0; None elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[1e-3, 1.0, 1e3])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--conductivity", type=float, default=18.0, help="W/(m·K)")
    parser.add_argument("--strip-size", type=float, default=2e-3, help="m, at mid-height")
    parser.add_argument("--notch-size", type=float, default=0.4e-3, help="m, at the roots")
    parser.add_argument("--strip-strain", type=float, default=0.2)
    parser.add_argument("--notch-strain", type=float, default=0.04)
    parser.add_argument("--out", default="results/heating")
    args = parse_args(parser, argv, TINY)
    comm = MPI.COMM_WORLD
    rows, curves = [], {}
    for specimen in ("shear_strip", "notched_tension"):
        for rate in args.rates:
            for mode in args.modes:
                out = Path(args.out) / f"{specimen}_{mode}_{rate:g}"
                data = read_case(CASES / f"{specimen}.toml", [
                    *specimen_overrides(specimen, rate, args),
                    *heat_overrides(mode, args.conductivity), "output.fields=false",
                    f"title={specimen}, {mode}, {rate:g} 1/s"])
                summary, _ = run_case(data, out, comm)
                if comm.rank != 0:
                    continue
                curve = read_curve(out / "curve.csv")
                peak = float(curve["max_temperature_K"].max())
                curves[specimen, rate, mode] = (curve["nominal_strain"],
                                                curve["max_temperature_K"])
                rows.append({"specimen": specimen, "rate_per_s": rate, "mode": mode,
                             "status": summary["status"], "steps": summary["steps"],
                             "dofs": summary["dofs"], "peak_temperature_K": peak,
                             "rise_K": peak - 400.0,
                             "end_nominal_strain": float(curve["nominal_strain"][-1])})
                print(f"{specimen:16s} {rate:7.0e} 1/s {mode:10s}: peak T {peak:7.1f} K "
                      f"(+{peak - 400.0:.1f} K), {summary['steps']} steps, "
                      f"{summary['status']}", flush=True)
    if comm.rank != 0:
        return None
    Path(args.out, "table.json").write_text(json.dumps(rows, indent=2))
    _plot(curves, args, Path(args.out) / "band_heating.png")
    return rows


def _plot(curves: dict, args: argparse.Namespace, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for ax, specimen in zip(axes, ("shear_strip", "notched_tension"), strict=True):
        for k, rate in enumerate(args.rates):
            for mode in args.modes:
                strain, peak = curves[specimen, rate, mode]
                ax.plot(strain, peak, color=f"C{k}", ls="-" if mode == "conducting" else "--",
                        label=f"{rate:g} 1/s, {mode}")
        ax.axhline(load("vitreloy1").Tg, color="0.5", lw=0.8, ls=":", label="T_g (Vitreloy 1)")
        ax.set_xlabel("nominal strain")
        ax.set_ylabel("peak temperature (K)")
        ax.set_title(specimen.replace("_", " "))
        ax.legend(fontsize=7)
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
