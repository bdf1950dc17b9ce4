"""A quasi-2-D double-edge U-notched Cu50Zr50 nanoslab in plane-strain tension (LAMMPS).

The calibration glass (``q1e13``: 2000 atoms quenched at 1e13 K/s to 100 K, run_md.py) is
taken from the first frame of ``calibration/data/relax_q1e13_T100_r1e9.dump.gz`` (the quenched
cell exactly as ``quench.in`` wrote it, before the shear run's relaxation), replicated
``nx × ny × nz`` times (the slab is thus a periodic repetition of a 3.3 nm glass), its x faces
made free surfaces and two U notches cut at mid-length (notched_slab.in). The slab is annealed
at T (y, z at zero pressure), then pulled along y at a constant engineering strain rate with z
fixed (plane strain). Outputs in ``--out``:

- ``slab.dump.gz``: id, type, unwrapped positions (Å), per-atom PE (eV) every ``--dump-strain``
  from the annealed state (strain 0);
- ``force_strain.csv``: engineering strain, axial force (N), nominal stress (Pa: force over the
  unnotched width × thickness at strain 0), temperature (K), PE per atom (eV);
- ``record.json``: the variables, slab size and wall time; ``log.lammps``.

Cost: about 4e5 atom-steps/s per core alone (2 MPI ranks ≈ 2×). The default slab (4 × 6 × 1
boxes: 13.2 × 19.8 × 3.3 nm, ≈ 46k atoms after the notches) with 6 ps anneal and strain 0.15 at
1e10 1/s is 10,500 steps.

    python calibration/md/notched_slab.py --out results/slab --ranks 2
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from run_md import HERE, PS, run_lammps, steps

from stz_fem.atomistic.ave_time import read_ave_time
from stz_fem.atomistic.lammps_dump import iter_dump
from stz_fem.atomistic.units import unit_style

GLASS_DUMP = HERE.parent / "data" / "relax_q1e13_T100_r1e9.dump.gz"
MPIRUN = HERE.parents[1] / "scripts" / "mpirun"
BAR_A2_N = 1e5 * 1e-20  # force unit of notched_slab.in (bar·Å²) in N


def write_glass_data(dump: Path, data: Path) -> int:
    """Write the first frame of ``dump`` (an orthogonal periodic cell) as a LAMMPS atomic data
    file with wrapped positions; returns the number of atoms."""
    frame = next(iter_dump(dump))
    r = frame.positions(unwrapped=False)
    lo, hi = frame.box.lo, frame.box.lo + np.diag(frame.box.h)
    lines = [
        f"Cu50Zr50 glass from {dump.name} step {frame.timestep}",
        "",
        f"{len(frame)} atoms",
        "2 atom types",
    ]
    lines += [
        f"{a:.9g} {b:.9g} {axis}lo {axis}hi" for a, b, axis in zip(lo, hi, "xyz", strict=True)
    ]
    lines += ["", "Atoms # atomic", ""]
    ids, types = frame.atoms["id"].astype(int), frame.atoms["type"].astype(int)
    lines += [
        f"{i} {t} {x:.9g} {y:.9g} {z:.9g}" for i, t, (x, y, z) in zip(ids, types, r, strict=True)
    ]
    data.write_text("\n".join(lines) + "\n")
    return len(frame)


def write_force_strain(ave_time_file: Path, csv_file: Path, area_A2: float) -> None:
    """The fix ave/time table (metal units) as SI columns; ``area_A2`` is the unnotched
    cross-section (width × thickness, Å²) for the nominal stress."""
    table = read_ave_time(ave_time_file)
    force = table["v_force"] * BAR_A2_N
    columns = np.column_stack(
        [
            table["v_strain"],
            force,
            force / (area_A2 * 1e-20),
            table["c_thermo_temp"] * unit_style("metal").temperature_K,
            table["v_pea"],
        ]
    )
    np.savetxt(
        csv_file,
        columns,
        delimiter=",",
        fmt="%.6e",
        comments="",
        header="engineering_strain,force_N,nominal_stress_Pa,temperature_K,pe_per_atom_eV",
    )


def slab_variables(args: argparse.Namespace) -> dict[str, object]:
    """LAMMPS variables of notched_slab.in from the command line (lengths Å, rates 1/ps)."""
    per_step = args.rate * PS * args.dt
    every = max(1, round(args.table_strain / per_step))
    nrepeat = min(10, every)
    return {
        "data": "glass.data",  # LAMMPS runs in args.out
        "seed": args.seed,
        "temp": args.temperature,
        "nx": args.replicas[0],
        "ny": args.replicas[1],
        "nz": args.replicas[2],
        "notch_depth": args.notch_depth,
        "notch_radius": args.notch_radius,
        "anneal_steps": steps(args.anneal_ps, args.dt),
        "erate": args.rate * PS,
        "load_steps": round(args.max_strain / per_step),
        "sample": every // nrepeat,
        "nrepeat": nrepeat,
        "nfreq": every // nrepeat * nrepeat,
        "dump_every": round(args.dump_strain / per_step),
        "dt": args.dt,
    }


def slab_size(log: Path) -> dict[str, float]:
    """``lx0``, ``ly0``, ``lz0`` (Å) and the atom count that notched_slab.in prints before
    loading."""
    line = next(s for s in log.read_text().splitlines() if s.startswith("slab: "))
    words = line.split()
    return {
        "lx0_A": float(words[3]),
        "ly0_A": float(words[6]),
        "lz0_A": float(words[9]),
        "atoms": int(words[12]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--replicas",
        type=int,
        nargs=3,
        default=(3, 5, 1),
        help="copies of the glass cell along x (width), y (load), z",
    )
    parser.add_argument("--notch-depth", type=float, default=20.0, help="Å")
    parser.add_argument("--notch-radius", type=float, default=8.0, help="Å")
    parser.add_argument("--temperature", type=float, default=100.0, help="K")
    parser.add_argument("--rate", type=float, default=1e10, help="engineering strain rate, 1/s")
    parser.add_argument("--max-strain", type=float, default=0.14)
    parser.add_argument("--anneal-ps", type=float, default=4.0)
    parser.add_argument("--dump-strain", type=float, default=0.01)
    parser.add_argument("--table-strain", type=float, default=0.001)
    parser.add_argument("--dt", type=float, default=0.002, help="ps")
    parser.add_argument("--seed", type=int, default=4929, help="velocity seed")
    parser.add_argument("--ranks", type=int, default=1, help="MPI ranks")
    parser.add_argument("--glass", type=Path, default=GLASS_DUMP, help="dump of the glass")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    glass_atoms = write_glass_data(args.glass, args.out / "glass.data")
    variables = slab_variables(args)
    # scripts/mpirun takes mpiexec from this interpreter's environment.
    os.environ.setdefault("STZ_FEM_VENV", sys.prefix)
    launcher = (str(MPIRUN), "-n", str(args.ranks)) if args.ranks > 1 else ()
    wall = run_lammps("notched_slab.in", args.out, variables, launcher)
    size = slab_size(args.out / "log.lammps")
    write_force_strain(
        args.out / "force_strain.txt", args.out / "force_strain.csv", size["lx0_A"] * size["lz0_A"]
    )
    record = {
        "variables": variables,
        "glass": args.glass.name,
        "glass_atoms": glass_atoms,
        **size,
        "ranks": args.ranks,
        "wall_s": wall,
        "atom_steps": size["atoms"] * (variables["anneal_steps"] + variables["load_steps"]),
    }
    (args.out / "record.json").write_text(json.dumps(record, indent=1, default=str))
    print(f"{size['atoms']} atoms, wall {wall:.0f} s")


if __name__ == "__main__":
    main()
