"""The model's rate ladder: peak and flow stress of fitted materials at 1e9–3e10 1/s, with the
STZ attempt-rate ceiling 2e^{−T_Z/χ}/τ₀ at the end of each run (REPORT.md, "Configurational
softening"), for the q1e13 glass (χ₀ from its PE at 100 and 300 K) beside the MD flow stresses.

    .venv/bin/python calibration/cuzr_md/rate_ladder.py DIR [DIR ...]

DIR is a ``stz-fem calibrate`` output folder (its material.toml); a markdown table goes to stdout.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from stz_fem import material
from stz_fem.calibration.shear_curve import shear_response
from stz_fem.material_point import StepLimits

DATA = Path(__file__).resolve().parents[1] / "data"
RATES = (1e9, 3e9, 1e10, 3e10)
LIMITS = StepLimits(chi=2.0, plastic_strain=2e-3, stress=1e-2)  # the fits' [fit] step_limits
FLOW = (0.15, 0.25)  # engineering strain window of the flow stress, as the reports use


def _md(T: float, rate: float) -> tuple[float, float]:
    """PE per atom at the start (eV) and flow stress (Pa) of the q1e13 MD run."""
    tag = f"{rate:.0e}".replace("e+0", "e").replace("e+", "e")  # 1e+09 → 1e9, as the files
    d = np.genfromtxt(DATA / f"stress_strain_q1e13_T{T:g}_r{tag}.csv", delimiter=",", names=True)
    window = (d["engineering_shear_strain"] > FLOW[0]) & (d["engineering_shear_strain"] < FLOW[1])
    return float(d["pe_per_atom_eV"][0]), float(d["shear_stress_Pa"][window].mean())


def ladder(folder: Path, T: float) -> list[str]:
    params = material.load(folder / "material.toml").replace(T=T)
    rows = []
    for rate in RATES:
        energy, md_flow = _md(T, rate)
        p = params.effective(rate)
        chi0 = p.chi_of_energy(energy)
        strain, stress, chi = shear_response(p, chi0, rate, 0.25, LIMITS)
        window = (strain > FLOW[0]) & (strain < FLOW[1])
        ceiling = 2.0 * math.exp(-p.T_Z / chi[-1]) / p.tau0
        rows.append(f"| {folder.name} | {T:g} | {rate:.0e} | {stress.max() / 1e9:.2f} | "
                    f"{stress[window].mean() / 1e9:.2f} | {md_flow / 1e9:.2f} | {chi0:.0f} → "
                    f"{chi[-1]:.0f} | {ceiling:.1e} | {rate / ceiling:.2f} |")
    return rows


def main(folders: list[str]) -> None:
    print("| fit | T (K) | rate (1/s) | model peak (GPa) | model flow | MD flow | χ (K) | "
          "ceiling 2e^{−T_Z/χ}/τ₀ (1/s) | rate / ceiling |")
    print("|---|---|---|---|---|---|---|---|---|")
    for folder in folders:
        for T in (100.0, 300.0):
            print("\n".join(ladder(Path(folder), T)))


if __name__ == "__main__":
    main(sys.argv[1:])
