"""Cross-check stz_fem's D²min against OVITO's AtomicStrainModifier on one dump pair.

OVITO must live in its own virtual environment (it brings its own numpy and Qt), so this
script runs twice: under the project's Python it calls itself under ``--ovito-python`` to get
OVITO's values, then computes its own and prints the agreement.

    .venv/bin/python calibration/md/d2min_ovito_check.py DUMP.gz --frames 0 3 --cutoff 5 \
        --ovito-python /tmp/ovito-venv/bin/python
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def ovito_d2min(dump: Path, frames: tuple[int, int], cutoff: float, out: Path) -> None:
    """OVITO's D²min of frame ``frames[1]`` against ``frames[0]``, saved by particle id."""
    from ovito.io import import_file
    from ovito.modifiers import AtomicStrainModifier
    from ovito.pipeline import FileSource

    pipeline = import_file(str(dump))
    reference = FileSource()
    reference.load(str(dump))
    pipeline.modifiers.append(
        AtomicStrainModifier(
            cutoff=cutoff,
            reference=reference,
            reference_frame=frames[0],
            output_nonaffine_squared_displacements=True,
        )
    )
    data = pipeline.compute(frames[1])
    particles = data.particles
    np.savez(
        out,
        id=np.asarray(particles.identifiers),
        d2min=np.asarray(particles["Nonaffine Squared Displacement"]),
        invalid=data.attributes["AtomicStrain.invalid_particle_count"],
    )


def compare(dump: Path, frames: tuple[int, int], cutoff: float, ovito_python: str) -> None:
    from stz_fem.atomistic.d2min import d2min
    from stz_fem.atomistic.lammps_dump import read_dump

    all_frames = read_dump(dump)
    # OVITO counts frames from 0 only: resolve negative indices here
    frames = tuple(range(len(all_frames))[k] for k in frames)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ovito.npz"
        subprocess.run(
            [
                ovito_python,
                __file__,
                str(dump),
                "--frames",
                *map(str, frames),
                "--cutoff",
                str(cutoff),
                "--ovito-out",
                str(out),
            ],
            check=True,
        )
        with np.load(out) as ovito:
            ovito_ids, ovito_d2, invalid = ovito["id"], ovito["d2min"], int(ovito["invalid"])
    ref, cur = all_frames[frames[0]], all_frames[frames[1]]
    ours, _ = d2min(ref.box, ref.positions(), cur.box, cur.positions(), cutoff)
    ovito_d2 = ovito_d2[np.argsort(ovito_ids)]
    diff = np.abs(ours - ovito_d2)
    strain = cur.box.tilt[0] / cur.box.h[1, 1] - ref.box.tilt[0] / ref.box.h[1, 1]
    print(
        f"{dump.name}: frames {frames} (shear strain {strain:.3f}), cutoff {cutoff} Å, "
        f"{len(ours)} atoms, OVITO invalid particles {invalid}"
    )
    print(f"mean D²min: ours {ours.mean():.6g} Å², OVITO {ovito_d2.mean():.6g} Å²")
    print(
        f"max |ours − OVITO| {diff.max():.3g} Å², max relative "
        f"{(diff / np.maximum(ovito_d2, 1e-12)).max():.3g}, "
        f"correlation {np.corrcoef(ours, ovito_d2)[0, 1]:.12f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--frames", type=int, nargs=2, default=(0, -1))
    parser.add_argument("--cutoff", type=float, default=5.0, help="neighbour cutoff, Å")
    parser.add_argument("--ovito-python", default="/tmp/ovito-venv/bin/python")
    parser.add_argument("--ovito-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    frames = tuple(args.frames)
    if args.ovito_out:
        ovito_d2min(args.dump, frames, args.cutoff, args.ovito_out)
    else:
        compare(args.dump, frames, args.cutoff, args.ovito_python)


if __name__ == "__main__":
    sys.exit(main())
