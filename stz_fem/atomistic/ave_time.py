"""Reader for ``fix ave/time`` output files in scalar mode (one row per output step)."""

from pathlib import Path

from stz_fem.atomistic.table import Table, parse_rows
from stz_fem.errors import InputError


def read_ave_time(path: str | Path) -> Table:
    """The columns of a ``fix ave/time ... file`` output, keyed by the names in its header
    (``TimeStep``, ``v_strain``, ``c_ptd[4]``, ...), in LAMMPS units."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read fix ave/time file ({err.strerror})") from None
    header = [line for line in lines[:3] if line.startswith("#")]
    if len(header) < 2 or not header[1].lstrip("# ").startswith("TimeStep"):
        raise InputError(f"{path}: not a fix ave/time file (no '# TimeStep ...' header line)")
    if len(header) > 2 or "Number-of-rows" in header[1]:
        raise InputError(f"{path}: fix ave/time vector mode is not supported; use mode scalar")
    names = header[1].lstrip("# ").split()
    rows = [line for line in lines if line.strip() and not line.startswith("#")]
    return parse_rows(str(path), names, rows)
