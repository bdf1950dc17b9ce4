"""Reader for the thermo output of every run in a LAMMPS log file (one-line thermo styles)."""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stz_fem.atomistic.table import Table, parse_rows
from stz_fem.errors import InputError

_UNITS = re.compile(r"^\s*units\s+(\w+)", re.MULTILINE)
_BLOCK_START = "Per MPI rank memory allocation"
_BLOCK_END = ("Loop time of", "ERROR")


@dataclass(frozen=True)
class LammpsLog:
    """Thermo blocks of a log, one ``Table`` per run, in LAMMPS units of style ``units``
    (None when the log has no ``units`` command)."""

    source: str
    units: str | None
    blocks: list[Table]

    def column(self, name: str) -> np.ndarray:
        """One thermo column over all runs that print it, in order (a step that ends one run
        and starts the next appears twice)."""
        found = [block[name] for block in self.blocks if name in block]
        if not found:
            available = sorted({n for block in self.blocks for n in block.names})
            raise InputError(
                f"{self.source}: no thermo column {name!r}; available: {', '.join(available)}"
            )
        return np.concatenate(found)


def _numeric(line: str, width: int) -> bool:
    fields = line.split()
    if len(fields) != width:
        return False
    try:
        [float(v) for v in fields]
    except ValueError:
        return False
    return True


def read_log(path: str | Path) -> LammpsLog:
    """All thermo blocks of a LAMMPS log (``log.lammps``); warnings inside a block are skipped
    and a block cut short by an error or the end of the file keeps its rows."""
    path = Path(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as err:
        raise InputError(f"{path}: cannot read LAMMPS log ({err.strerror})") from None
    lines = text.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith(_BLOCK_START)]
    blocks = []
    for number, start in enumerate(starts, 1):
        if start + 1 >= len(lines):
            raise InputError(f"{path}: run {number} has no thermo header line")
        names = lines[start + 1].split()
        if not names or names[0].startswith("-") or _numeric(lines[start + 1], len(names)):
            raise InputError(
                f"{path}: run {number} thermo header {lines[start + 1]!r} is not a one-line "
                "thermo style; supported: thermo_style one or custom"
            )
        rows = []
        for line in lines[start + 2 :]:
            if line.startswith(_BLOCK_END):
                break
            if _numeric(line, len(names)):
                rows.append(line)
        blocks.append(parse_rows(f"{path} (run {number})", names, rows))
    if not blocks:
        raise InputError(f"{path}: no thermo output (no line starting {_BLOCK_START!r})")
    units = _UNITS.findall(text)
    return LammpsLog(str(path), units[-1] if units else None, blocks)
