"""The calibrated Cu50Zr50 glass at laboratory and MD strain rates, side by side.

MD reaches 1e8–1e10 1/s; experiments and the specimen cases run at 1e-3–1 1/s. The calibrated
material (fitted to LAMMPS simple shear at 1e9–1e10 1/s) is integrated in simple shear at
100 K, χ₀ from the calibration glass's PE (the q1e13 glass, −4.84840 eV/atom at 100 K), at
rates from 1e-3 to 1e10 1/s, and the peak and flow stresses are printed and drawn. What is
extrapolated here is the fitted barrier, over 13 decades of rate it was not fitted on: the
curves say what the model predicts, not what a glass does (calibration/nanoslab/REPORT.md).

    .venv/bin/python calibration/nanoslab/rate_gap.py \\
        [--material calibration/cuzr_md/fit/material.toml] [--out calibration/nanoslab/rate_gap.png]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

from stz_fem import material
from stz_fem.material.stz import pack, softening
from stz_fem.material_point import Loading, run

HERE = Path(__file__).resolve().parent
RATES = (1e-3, 1.0, 1e4, 1e8, 1e10)
"""Engineering shear rates, 1/s: laboratory, fast laboratory, Hopkinson bar, MD."""
PE_Q1E13_100K = -4.84840
"""Mean PE per atom of the q1e13 glass at 100 K at the start of shear, eV (data/README.md)."""


def curves(material_file: Path, temperature: float, pe: float, strain: float
           ) -> dict[float, dict[str, np.ndarray]]:
    """Simple-shear curves of the material at each rate of RATES (γ, σ₁₂ in Pa)."""
    params = material.load(material_file).replace(T=temperature)
    params = params.replace(chi0=params.chi_of_energy(pe))
    return {rate: run(params, Loading("simple-shear", rate, strain)) for rate in RATES}


def main(argv: Sequence[str] | None = None) -> dict[float, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--material", type=Path,
                        default=HERE.parent / "cuzr_md" / "fit" / "material.toml")
    parser.add_argument("--temperature", type=float, default=100.0, help="K")
    parser.add_argument("--pe-per-atom", type=float, default=PE_Q1E13_100K, help="eV")
    parser.add_argument("--strain", type=float, default=0.25)
    parser.add_argument("--out", type=Path, default=HERE / "rate_gap.png")
    args = parser.parse_args(argv)
    results = curves(args.material, args.temperature, args.pe_per_atom, args.strain)
    law = pack(material.load(args.material))
    summary = {}
    for rate, c in results.items():
        window = c["strain"] >= args.strain - 0.05
        flow = float(np.mean(c["stress_Pa"][window]))
        # the STZ yield stress s_y·f(χ) over the same window (f = 1 without softening):
        # the flow stress that slow loading tends to
        yield_stress = float(np.mean([law.s_y * softening(chi, law) for chi in c["chi_K"][window]]))
        summary[rate] = {"peak_Pa": float(c["stress_Pa"].max()), "flow_Pa": flow,
                         "yield_Pa": yield_stress}
        print(f"{rate:8.0e} 1/s: peak {c['stress_Pa'].max() / 1e9:.3f} GPa, "
              f"flow {flow / 1e9:.3f} GPa (s_y·f(χ) {yield_stress / 1e9:.3f} GPa)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for rate, c in results.items():
        ax.plot(c["strain"], c["stress_Pa"] / 1e9, label=f"{rate:.0e} 1/s")
    ax.set_xlabel("engineering shear strain γ")
    ax.set_ylabel("shear stress σ₁₂ (GPa)")
    ax.set_title(f"calibrated Cu50Zr50, {args.temperature:g} K, χ₀ from PE")
    ax.legend(title="shear rate")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")
    return summary


if __name__ == "__main__":
    main()
