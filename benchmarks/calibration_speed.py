"""Wall time of a global calibration over eight or more curves, as a multiple of one model
evaluation (all curves simulated once) timed in the same run.

The curves are made by the material-point driver itself (known parameters, Cu50Zr50 preset with
MD-like rates and temperatures, no noise), so the benchmark needs no data files and checks that
the optimum is found: the report gives the largest relative parameter error as well as the
cost. Target (issue 14): ≤ 5 min wall on 2 cores for ≥ 8 curves.

Full size (2 worker processes, a minute or two on a shared 2-core machine):

    .venv/bin/python benchmarks/calibration_speed.py [--curves 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _runs import parse_args, ratio

from stz_fem import material
from stz_fem.calibration import calibrate
from stz_fem.calibration.config import load_config
from stz_fem.calibration.curves import read_curve
from stz_fem.calibration.fit import Objective, to_variables
from stz_fem.material_point import Loading, StepLimits, run

TRUE = {"s_y": 0.6e9, "c0": 0.6, "Delta": 6000.0, "eps0": 0.2, "chi_inf": 1400.0,
        "T_Z": 15000.0, "chi0": 420.0}
FREE = {"s_y": (0.3e9, 1.5e9, False), "c0": (0.2, 2.0, True), "Delta": (2000.0, 12000.0, True),
        "eps0": (0.05, 1.0, True), "chi0": (250.0, 700.0, False)}
"""Identifiable by the curves (T_Z is not, next to a free χ₀: only T_Z/χ enters)."""
TEMPERATURES = (50.0, 100.0, 300.0, 500.0)
RATES = (1e9, 3e9, 1e10, 3e10)
STRAIN = 0.25


def write_problem(root: Path, curves: int, starts: int, design: int, workers: int) -> Path:
    """Synthetic curves (T × rate, first ``curves`` of the grid) and their config in root."""
    truth = material.load("cu50zr50").replace(**TRUE)
    limits = StepLimits(2.0, 2e-3, 1e-2)
    grid = [(T, r) for T in TEMPERATURES for r in RATES][:curves]
    tables = ""
    for k, (T, rate) in enumerate(grid):
        curve = run(truth.replace(T=T), Loading(kind="simple-shear", rate=rate, strain=STRAIN),
                    limits)
        strain = np.linspace(0.001, STRAIN, 250)
        stress = np.interp(strain, curve["strain"], curve["stress_Pa"])
        np.savetxt(root / f"c{k}.csv", np.column_stack([strain, stress]), delimiter=",",
                   header="gamma,tau", comments="")
        tables += (f'\n[[curves]]\npath = "c{k}.csv"\nstrain_column = "gamma"\n'
                   f'stress_column = "tau"\nloading = "simple-shear"\nrate = {rate!r}\n'
                   f"temperature = {T!r}\n")
    free = "".join(f"\n[free.{n}]\nbounds = [{lo!r}, {hi!r}]\nlog = {str(log).lower()}\n"
                   for n, (lo, hi, log) in FREE.items())
    fixed = "".join(f"{n} = {v!r}\n" for n, v in TRUE.items() if n not in FREE)
    text = (f'[material]\npreset = "cu50zr50"\n{fixed}{free}\n[fit]\nstarts = {starts}\n'
            f"design = {design}\nworkers = {workers}\nmax_evaluations = 600\n"
            f"tolerance = 1e-12\n{tables}")
    path = root / "config.toml"
    path.write_text(text)
    return path


def time_evaluation(config_path: Path, repeats: int = 5) -> float:
    """Best wall time (s) of one model evaluation at the true parameters: every curve
    simulated once."""
    config = load_config(config_path)
    objective = Objective(config, [read_curve(s) for s in config.curves])
    x = to_variables(config.free, np.array([TRUE[p.name] for p in config.free]))
    objective(x)  # compile
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        objective(x)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--curves", type=int, default=8)
    parser.add_argument("--starts", type=int, default=6)
    parser.add_argument("--design", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", help="folder for the config, curves and results (default: temp)")
    args = parse_args(parser, argv, {"curves": 2, "starts": 2, "design": 4, "workers": 1})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.out or tmp)
        root.mkdir(parents=True, exist_ok=True)
        config = write_problem(root, args.curves, args.starts, args.design, args.workers)
        evaluation = time_evaluation(config)
        start = time.perf_counter()
        report = calibrate(config, root / "fit")
        wall = time.perf_counter() - start
    errors = [abs(e["value"] / TRUE[n] - 1.0) for n, e in report["parameters"].items()]
    result = {
        "curves": args.curves, "free": len(FREE), "starts": args.starts, "design": args.design,
        "workers": args.workers, "evaluations": report["optimizer"]["evaluations"],
        "evaluation_s": evaluation, "calibration_wall_s": wall,
        "wall_in_evaluations": ratio(wall, evaluation),
        "max_relative_parameter_error": max(errors),
        "rms_relative_to_peak": report["rms_relative_to_peak"],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
    }
    print(json.dumps(result, indent=2))
    if args.out:
        (Path(args.out) / "table.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
