"""Glass transition temperature of the potential from the NPT quench logs of run_md.py.

    python calibration/md/glass_transition.py calibration/data/log_q1e13.lammps \\
        calibration/data/log_q1e14.lammps

The first run of a quench log ramps the thermostat target linearly from T0 to T1 at zero
pressure (quench.in). The volume and the potential energy per atom, sampled at the thermo
steps, are fitted against the target temperature T(step) = T0 + (T1 - T0) step / steps with two
straight lines, liquid above T_g and glass below, in two ways:

- hinge: two lines that meet at T_g, fitted together by least squares over a window of T
  (T_g on a 1 K grid; its statistical interval is where the sum of squares is within one
  residual variance of the best, Δχ² = 1);
- branches: a line through the glass (low T) and one through the liquid (high T) fitted
  separately, T_g where they cross.

Neither branch is exactly linear (the liquid's slope falls towards 2000 K, and the transition
is spread over a few hundred K at MD cooling rates), so T_g moves with the windows and the
quantity. The quoted T_g is the mean over all windows, both quantities and both methods, and
its uncertainty their standard deviation (larger than the statistical intervals).
"""

import argparse
import re
from pathlib import Path

import numpy as np

from stz_fem.atomistic.lammps_log import read_log

RAMP = re.compile(r"^fix\s+\S+\s+\S+\s+npt\s+temp\s+([\d.eE+-]+)\s+([\d.eE+-]+)\s", re.MULTILINE)
ATOMS = re.compile(r"^\s*(\d+) atoms\s*$", re.MULTILINE)
WINDOWS = ((300.0, 1500.0), (200.0, 1700.0), (400.0, 1300.0), (100.0, 2000.0))
# (glass lo, glass hi, liquid lo, liquid hi) in K
BRANCHES = (
    (100.0, 500.0, 1300.0, 2000.0),
    (100.0, 600.0, 1200.0, 1800.0),
    (100.0, 400.0, 1400.0, 2000.0),
    (200.0, 500.0, 1200.0, 1600.0),
)


def hinge_fit(t: np.ndarray, y: np.ndarray, grid: np.ndarray) -> tuple[float, float, float]:
    """Best kink temperature of two lines meeting at it, and its Δχ² = 1 interval (lo, hi)."""
    sse = np.empty(grid.size)
    for k, tg in enumerate(grid):
        design = np.column_stack([np.ones_like(t), t - tg, np.maximum(t - tg, 0.0)])
        _, residual, *_ = np.linalg.lstsq(design, y, rcond=None)
        sse[k] = residual[0] if residual.size else 0.0
    best = int(np.argmin(sse))
    variance = sse[best] / max(1, t.size - 4)
    inside = grid[sse <= sse[best] + variance]
    return float(grid[best]), float(inside.min()), float(inside.max())


def branch_crossing(t: np.ndarray, y: np.ndarray, glass: tuple, liquid: tuple) -> float:
    """T where the line through the glass window meets the line through the liquid window."""
    fits = []
    for lo, hi in (glass, liquid):
        keep = (t >= lo) & (t <= hi)
        fits.append(np.polyfit(t[keep], y[keep], 1))
    (slope_g, icpt_g), (slope_l, icpt_l) = fits
    return float((icpt_l - icpt_g) / (slope_g - slope_l))


def quench_curve(path: Path) -> dict[str, np.ndarray]:
    """Target temperature (K), volume per atom (Å³) and PE per atom (eV) of the quench ramp."""
    log = read_log(path)
    text = path.read_text()
    ramps = [(float(a), float(b)) for a, b in RAMP.findall(text) if float(a) != float(b)]
    if not ramps:
        raise SystemExit(f"{path}: no npt temperature ramp (fix ... npt temp T0 T1 with T0 != T1)")
    (t0, t1), atoms = ramps[0], int(ATOMS.findall(text)[0])
    block = log.blocks[0]
    step = block["Step"]
    target = t0 + (t1 - t0) * step / step[-1]
    return {"T": target, "volume": block["Volume"] / atoms, "pe": block["v_pea"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", type=Path, nargs="+", help="quench logs (log_q*.lammps)")
    parser.add_argument(
        "--min-points", type=int, default=12, help="rows per hinge window (half per branch)"
    )
    args = parser.parse_args()
    for path in args.logs:
        curve = quench_curve(path)
        t = curve["T"]
        grid = np.arange(300.0, 1500.0, 1.0)
        values, statistical = [], []
        print(f"{path} ({t.size} thermo rows, {abs(t[1] - t[0]):.0f} K apart)")
        for quantity in ("volume", "pe"):
            for lo, hi in WINDOWS:
                keep = (t >= lo) & (t <= hi)
                if keep.sum() < args.min_points:
                    continue
                inner = grid[(grid > lo + 100.0) & (grid < hi - 100.0)]
                tg, tlo, thi = hinge_fit(t[keep], curve[quantity][keep], inner)
                values.append(tg)
                statistical.append((thi - tlo) / 2)
                interval = f"[{tlo:.0f}, {thi:.0f}]"
                print(f"  {quantity:6s} hinge {lo:4.0f}-{hi:4.0f} K: {tg:5.0f} K {interval}")
            for branches in BRANCHES:
                glass, liquid = branches[:2], branches[2:]
                if (
                    min(((t >= lo) & (t <= hi)).sum() for lo, hi in (glass, liquid))
                    < args.min_points // 2
                ):
                    continue
                tg = branch_crossing(t, curve[quantity], glass, liquid)
                values.append(tg)
                print(
                    f"  {quantity:6s} branches glass {glass[0]:.0f}-{glass[1]:.0f} K, liquid "
                    f"{liquid[0]:.0f}-{liquid[1]:.0f} K: {tg:5.0f} K"
                )
        if len(values) < 2:
            print("  too few thermo rows for two-line fits")
            continue
        print(
            f"  T_g = {np.mean(values):.0f} ± {np.std(values, ddof=1):.0f} K over {len(values)} "
            f"fits (median statistical half-interval of the hinge fits "
            f"{np.median(statistical) if statistical else float('nan'):.0f} K)"
        )


if __name__ == "__main__":
    main()
