"""Reader for LAMMPS text dumps (``dump custom``/``atom``, plain or gzip), any number of frames.

Orthogonal and (restricted) triclinic boxes are supported; per-atom columns are kept by their
header names (``id``, ``type``, ``x``/``xu``/``xs``/``xsu``..., ``ix``..., ``c_pe``...) and rows are
sorted by ``id`` when there is one. Values are in the LAMMPS units of the run (Å, eV for metal).
"""

import gzip
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.table import Table
from stz_fem.errors import InputError

# Unwrapped (continuous) positions first, then wrapped ones; "s" = scaled (fractional).
_UNWRAPPED = (("xu", "yu", "zu"), ("xsu", "ysu", "zsu"))
_WRAPPED = (("x", "y", "z"), ("xs", "ys", "zs"))
_IMAGE = ("ix", "iy", "iz")


@dataclass(frozen=True)
class DumpFrame:
    """One dump snapshot: timestep, box and per-atom columns."""

    source: str
    timestep: int
    box: Box
    atoms: Table

    def __len__(self) -> int:
        return len(self.atoms)

    def _cartesian(self, names: tuple[str, str, str]) -> np.ndarray:
        r = np.column_stack([self.atoms[name] for name in names])
        return self.box.cartesian(r) if names[0].startswith(("xs", "ys", "zs")) else r

    def positions(self, unwrapped: bool = True) -> np.ndarray:
        """Cartesian positions (N, 3). Unwrapped ones come from ``xu``/``xsu`` columns or from
        wrapped ones plus image flags; wrapped ones are folded into the cell (LAMMPS writes
        atoms that left it since the last reneighbouring as they are)."""
        for names in (*_UNWRAPPED, *_WRAPPED) if unwrapped else (*_WRAPPED, *_UNWRAPPED):
            if not all(name in self.atoms for name in names):
                continue
            r = self._cartesian(names)
            if not unwrapped:
                return self.box.cartesian(self.box.wrap_fractional(self.box.fractional(r))[0])
            if names in _UNWRAPPED:
                return r
            if all(name in self.atoms for name in _IMAGE):
                return r + np.column_stack([self.atoms[name] for name in _IMAGE]) @ self.box.h.T
        kind = "unwrapped (xu.. or x.. with ix..)" if unwrapped else "wrapped (x.., xs..)"
        raise InputError(
            f"{self.source} (timestep {self.timestep}): no {kind} positions; "
            f"available: {', '.join(self.atoms.names)}"
        )


def _open(path: Path) -> TextIO:
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gzipped else path.open()


def _item(stream: TextIO, source: str, expected: str) -> str:
    line = stream.readline()
    if not line.startswith(f"ITEM: {expected}"):
        found = line.strip() or "end of file"
        raise InputError(f"{source}: expected 'ITEM: {expected}', found {found!r}")
    return line[len(f"ITEM: {expected}") :].strip()


def _numbers(stream: TextIO, source: str, what: str, count: int, width: int) -> np.ndarray:
    lines = list(itertools.islice(stream, count))
    try:
        values = np.array(" ".join(lines).split(), dtype=float)
        return values.reshape(count, width)
    except ValueError:
        raise InputError(
            f"{source}: {what} needs {count} lines of {width} numbers; file is short or malformed"
        ) from None


def _box(stream: TextIO, source: str, spec: str) -> Box:
    # old LAMMPS versions wrote no boundary flags: periodic
    words = spec.split() or ["pp", "pp", "pp"]
    tilted = words[:3] == ["xy", "xz", "yz"]
    if words[:1] == ["abc"] or len(words) != (6 if tilted else 3):
        raise InputError(
            f"{source}: box bounds 'ITEM: BOX BOUNDS {spec}' not supported; "
            "supported: 'pp pp pp' or 'xy xz yz pp pp pp' (any boundary letters)"
        )
    periodic = tuple(flags == "pp" for flags in words[-3:])
    bounds = _numbers(stream, source, "BOX BOUNDS", 3, 3 if tilted else 2)
    tilt = bounds[:, 2] if tilted else np.zeros(3)
    xy, xz, yz = tilt
    # dumps give the bounding box of a tilted cell; recover xlo..zhi
    lo = bounds[:, 0] - [min(0.0, xy, xz, xy + xz), min(0.0, yz), 0.0]
    hi = bounds[:, 1] - [max(0.0, xy, xz, xy + xz), max(0.0, yz), 0.0]
    return Box.from_bounds(lo, hi, (xy, xz, yz), periodic)


def _frames(stream: TextIO, source: str) -> Iterator[DumpFrame]:
    while True:
        line = stream.readline()
        while line.startswith(("ITEM: UNITS", "ITEM: TIME\n")):
            stream.readline()
            line = stream.readline()
        if not line.strip():
            return
        if not line.startswith("ITEM: TIMESTEP"):
            raise InputError(f"{source}: expected 'ITEM: TIMESTEP', found {line.strip()!r}")
        timestep = int(_numbers(stream, source, "TIMESTEP", 1, 1)[0, 0])
        _item(stream, source, "NUMBER OF ATOMS")
        natoms = int(_numbers(stream, source, "NUMBER OF ATOMS", 1, 1)[0, 0])
        box = _box(stream, source, _item(stream, source, "BOX BOUNDS"))
        names = _item(stream, source, "ATOMS").split()
        data = _numbers(stream, source, f"timestep {timestep} ATOMS", natoms, len(names))
        if "id" in names:
            data = data[np.argsort(data[:, names.index("id")], kind="stable")]
        atoms = Table(source, {name: data[:, k] for k, name in enumerate(names)})
        yield DumpFrame(source, timestep, box, atoms)


def iter_dump(path: str | Path) -> Iterator[DumpFrame]:
    """The frames of a dump file one at a time (plain or gzip, detected from the content)."""
    path = Path(path)
    try:
        with _open(path) as stream:
            yield from _frames(stream, str(path))
    except (OSError, EOFError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise InputError(f"{path}: cannot read LAMMPS dump ({reason})") from None


def read_dump(path: str | Path) -> list[DumpFrame]:
    """All frames of a dump file."""
    frames = list(iter_dump(path))
    if not frames:
        raise InputError(f"{path}: no frames (empty LAMMPS dump)")
    return frames
