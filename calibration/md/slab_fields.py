"""Coarse-grain a notched_slab.py run into the small files of calibration/data/nanoslab/.

Reads ``slab.dump.gz`` (frames every ``--dump-strain`` from the annealed slab), bins per-atom
PE, D²min and the von Mises local shear strain relative to the first frame onto a grid of
``--bin`` Å cells in the reference frame (stz_fem.atomistic.slab_grid) and writes to ``--to``:

- ``fields.npz``: ``x_m``, ``y_m`` (cell centres, m, from the slab's lower-left corner at
  strain 0), [frame, y, x] float32 arrays ``pe_eV``, ``pe_corrected_eV``, ``d2min_A2``,
  ``shear_strain``, the [y, x] atom count ``atoms`` and the per-frame ``nominal_strain``;
- ``force_strain.csv``, ``record.json`` (slab size, LAMMPS variables, cost) and ``log.lammps``
  copied from the run.

    python calibration/md/slab_fields.py results/slab --to calibration/data/nanoslab
"""

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from stz_fem.atomistic.lammps_dump import iter_dump
from stz_fem.atomistic.slab_grid import slab_fields


def frames_of(dump: Path, every: int):
    """(box, unwrapped positions, PE) of every ``every``-th frame of a dump."""
    for k, frame in enumerate(iter_dump(dump)):
        if k % every == 0:
            yield frame.box, frame.positions(), np.asarray(frame.atoms["c_pe"], dtype=float)


def atom_types(dump: Path) -> np.ndarray:
    """Species ids of the atoms of a dump's first frame (sorted by id)."""
    return np.asarray(next(iter_dump(dump)).atoms["type"], dtype=np.int64)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="output folder of notched_slab.py")
    parser.add_argument("--to", type=Path, required=True, help="folder of the small files")
    parser.add_argument("--bin", type=float, default=10.0, help="grid cell size, Å")
    parser.add_argument("--cutoff", type=float, default=5.0, help="D²min neighbour cutoff, Å")
    parser.add_argument("--every", type=int, default=1, help="keep every n-th dump frame")
    args = parser.parse_args(argv)
    record = json.loads((args.run / "record.json").read_text())
    variables = record["variables"]
    start = time.perf_counter()
    dump = args.run / "slab.dump.gz"
    fields = slab_fields(frames_of(dump, args.every), atom_types(dump), args.bin, args.cutoff)
    frames = fields["pe_eV"].shape[0]
    dump_strain = variables["dump_every"] * variables["erate"] * variables["dt"]
    strain = np.arange(frames) * args.every * dump_strain
    args.to.mkdir(parents=True, exist_ok=True)
    arrays = {k: v.astype(np.float32) if v.ndim == 3 else v for k, v in fields.items()}
    np.savez_compressed(args.to / "fields.npz", nominal_strain=strain, **arrays)
    shutil.copy(args.run / "force_strain.csv", args.to / "force_strain.csv")
    # the run folder's absolute path (in the echoed read_data line) says nothing portable
    folder = f"{args.run.resolve()}/"
    log = (args.run / "log.lammps").read_text()
    (args.to / "log.lammps").write_text(log.replace(folder, ""))
    variables["data"] = Path(variables["data"]).name
    record["coarse_graining"] = {"bin_A": args.bin, "d2min_cutoff_A": args.cutoff,
                                 "every": args.every, "wall_s": time.perf_counter() - start}
    (args.to / "record.json").write_text(json.dumps(record, indent=1))
    print(f"{frames} frames on a {fields['x_m'].size} × {fields['y_m'].size} grid")


if __name__ == "__main__":
    main()
