"""Can a band form where a run flows? Rudnicki–Rice's criterion against the law's softening.

For each run directory (its ``checkpoint.npz``: stress, plastic rate and accumulated plastic
strain at every quadrature point; no mesh is needed) the stress state N = s_II/s̄ of the
flowing points gives the softening a band needs there, h ≤ h_crit(N)·G
(``theory.critical_hardening_modulus``, docs/model.md §6); the homogeneous simple-shear
response of the run's material (``material_point.run`` at ``--rate`` and each ``--chi0``)
gives the softening it has, −dτ/dγᵖ after the peak. Prints both and draws them
(docs/validation.md, "Why the sphere shows no band")::

    .venv/bin/python scripts/localization_criterion.py results/cylinder results/sphere \\
        --labels "cylinder (2-D)" "sphere (3-D)" --chi0 600 450 --out localization.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from stz_fem import material_point, theory
from stz_fem.material import MaterialParameters, from_mapping
from stz_fem.material.mandel import (
    equivalent_shear_stress,
    intermediate_stress_ratio,
)


def flowing_stress_states(run: Path) -> tuple[np.ndarray, np.ndarray, MaterialParameters]:
    """N and the plastic power weight 2Ds̄ (W/m³) of the points of a run's checkpoint that
    flow (D > 1 % of its largest value), and the run's material."""
    with np.load(run / "checkpoint.npz") as data:
        stress = data["stress"].reshape(-1, 6)
        rate = data["rate"].reshape(-1)
        case = json.loads(str(data["scalars"]))["case"]
    flowing = rate > 0.01 * rate.max()
    n_mid = intermediate_stress_ratio(stress[flowing])
    power = 2.0 * rate[flowing] * equivalent_shear_stress(stress[flowing])
    return n_mid, power, from_mapping(case["material"])


def softening(params: MaterialParameters, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Engineering plastic shear strain and −dτ/dγᵖ/G after the peak of simple shear."""
    curve = material_point.run(params, material_point.Loading(rate=rate, strain=0.3))
    tau, gp = curve["sbar_Pa"], curve["plastic_strain"]
    after = slice(int(np.argmax(tau)) + 1, None)
    gp, tau = gp[after], tau[after]
    keep = np.diff(gp) > 0.0
    slope = np.diff(tau)[keep] / np.diff(gp)[keep]
    return 0.5 * (gp[1:] + gp[:-1])[keep], -slope / params.G


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--labels", nargs="+")
    parser.add_argument("--chi0", nargs="+", type=float, required=True,
                        help="initial χ (K) of the homogeneous responses")
    parser.add_argument("--rate", type=float, default=1e-2, help="shear rate, 1/s")
    parser.add_argument("--out", type=Path, required=True, help="PNG")
    args = parser.parse_args(argv)
    labels = args.labels or [run.name for run in args.runs]

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    params = None
    needed = []
    for run, label in zip(args.runs, labels, strict=True):
        n_mid, power, params = flowing_stress_states(run)
        median = weighted_median(n_mid, power)
        h_crit = -theory.critical_hardening_modulus(params.alpha, params.beta, params.nu,
                                                    median)
        needed.append((label, h_crit))
        share = float(np.sum(power[np.abs(n_mid) < 0.2]) / np.sum(power))
        print(f"{label}: N over the flowing points (plastic-power weighted): median "
              f"{median:+.3f}, 5–95 % {np.percentile(n_mid, 5):+.3f} … "
              f"{np.percentile(n_mid, 95):+.3f}, |N| < 0.2 carries {share:.1%} of the power; "
              f"a band needs −h/G ≥ {h_crit:.4f} at the median")
        left.hist(n_mid, bins=80, range=(-0.6, 0.6), weights=power / power.sum(),
                  histtype="step", lw=1.5, label=label)
    left.set_xlabel("stress state N = s_II / s̄ of the flowing points")
    left.set_ylabel("share of the plastic power")
    left.axvline(1 / np.sqrt(3), color="grey", ls=":", lw=1)
    left.axvline(0.0, color="grey", ls=":", lw=1)
    left.legend()

    for i, chi0 in enumerate(args.chi0):
        gp, minus_h = softening(params.replace(chi0=chi0), args.rate)
        print(f"χ₀ = {chi0:g} K at {params.T:g} K, {args.rate:g} 1/s: steepest softening "
              f"−h/G = {minus_h.max():.4f} at γᵖ = {gp[np.argmax(minus_h)]:.3f}")
        # colours after the histograms' so that a run and a glass are not read as one
        right.plot(gp, minus_h, color=f"C{len(args.runs) + i}", label=f"law, χ₀ = {chi0:g} K")
    for label, h_crit in needed:
        right.axhline(h_crit, ls="--", lw=1, color="k")
        right.annotate(f"needed: {label}", (0.005, h_crit), ha="left", va="bottom", fontsize=8)
    right.set_xlabel("plastic shear strain γᵖ (simple shear)")
    right.set_ylabel("softening −(dτ/dγᵖ)/G")
    right.set_xlim(0.0, 0.3)
    right.set_yscale("log")
    right.legend(loc="center right")
    fig.tight_layout()
    fig.savefig(args.out, dpi=130)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
