"""Peak and flow stress of every stress-strain table written by run_md.py, as one CSV.

    python calibration/md/summarize.py calibration/data

writes ``summary.csv`` in that folder: run tag, cooling rate (K/s), temperature (K), shear rate
(1/s), peak shear stress (Pa) and its strain, flow stress (Pa, mean over the last
``--flow-window`` of strain), PE per atom (eV) at the start and the end, and the melt seed of
the glass (from a ``_seed<n>`` glass tag; ``--seed``, the full plan's 4928, otherwise) and
the seed of the shear run's velocities (from a ``_v<n>`` replica tag, else melt seed + 1).
"""

import argparse
import re
from pathlib import Path

import numpy as np

TAG = re.compile(
    r"stress_strain_q(?P<quench>[\d.e+-]+)(?:_seed(?P<seed>\d+))?"
    r"_T(?P<temp>[\d.]+)_r(?P<rate>[\d.e+-]+)(?:_v(?P<velocity>\d+))?"
)
HEADER = (
    "tag,cooling_rate_K_per_s,temperature_K,shear_rate_per_s,peak_stress_Pa,peak_strain,"
    "flow_stress_Pa,pe_start_eV,pe_end_eV,melt_seed,velocity_seed"
)


def summarize(folder: Path, flow_window: float, seed: int = 4928) -> list[str]:
    rows = []
    for path in sorted(folder.glob("stress_strain_*.csv")):
        match = TAG.fullmatch(path.stem)
        if match is None:
            continue
        strain, stress, _, energy = np.loadtxt(path, delimiter=",", skiprows=1).T
        peak = int(np.argmax(stress))
        flow = stress[strain >= strain[-1] - flow_window].mean()
        tag = path.stem.removeprefix("stress_strain_")
        rows.append(
            f"{tag},{float(match['quench']):.3g},{float(match['temp']):g},"
            f"{float(match['rate']):.3g},{stress[peak]:.4e},{strain[peak]:.4f},{flow:.4e},"
            f"{energy[:5].mean():.5f},{energy[-5:].mean():.5f},{match['seed'] or seed},"
            f"{match['velocity'] or int(match['seed'] or seed) + 1}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--flow-window", type=float, default=0.05, help="strain, default 0.05")
    parser.add_argument("--seed", type=int, default=4928, help="melt seed of untagged glasses")
    args = parser.parse_args()
    rows = summarize(args.folder, args.flow_window, args.seed)
    (args.folder / "summary.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    print("\n".join([HEADER, *rows]))


if __name__ == "__main__":
    main()
