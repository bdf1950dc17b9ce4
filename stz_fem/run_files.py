"""The files of a specimen run: curve, field frames, summary and checkpoint.

- ``curve.csv``: one ``CurveRow`` per step (its fields are the header, then the specimen's
  load columns), flushed row by row on rank 0 and kept in memory for the specimen's results;
- ``fields.pvd``: the ParaView time series over restarts (``FieldFiles``);
- ``summary.json``: rewritten atomically at every field output (status "running", then
  "completed", "stopped" or "failed"); always valid JSON (non-finite numbers become null);
- ``checkpoint.npz``: the solver state and the ``RunState``, from which a run continues on any
  number of ranks.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import csv
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import io
from mpi4py import MPI

from stz_fem.errors import InputError

CURVE = "curve.csv"
SUMMARY = "summary.json"
CHECKPOINT = "checkpoint.npz"

RESTART_MAY_CHANGE = ("loading.end_strain", "loading.end_depth", "loading.end_time", "solver",
                      "output", "title")
"""Case keys a restart may change: how far to go, the step control and the outputs."""


@dataclasses.dataclass
class RunState:
    """Where a run is: what a checkpoint stores besides the solver state (times in s)."""

    dt: float
    """Size of the next step as the step controller proposes it, before any shortening to
    hit an output time or the end (so a restart continues the same step sequence)."""
    t: float = 0.0
    step: int = 0
    newton_total: int = 0
    rejected: int = 0
    next_output: float = 0.0
    history: list[dict] = dataclasses.field(default_factory=list)
    """Band measures at every field output."""
    frames: list[list] = dataclasses.field(default_factory=list)
    """(time in s, .pvtu file name) of every field output so far."""
    restarts: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    plastic_work: float = 0.0
    """Plastic dissipation so far, J (per m of thickness in 2-D)."""
    chi_clip_K: float = 0.0
    """Largest χ change (K) that keeping χ diffusion within its range made in any step
    (``ChiDiffusion.clipped_K``): a large value says the band edge is under-resolved."""


@dataclasses.dataclass(frozen=True)
class CurveRow:
    """One step of curve.csv (SI units); the specimen's load columns follow these."""

    step: int
    time_s: float
    dt_s: float
    nominal_strain: float
    mean_stress_Pa: float
    localization_index: float
    newton_iterations: int
    max_D_per_s: float
    max_chi_K: float
    flowing_fraction: float
    plastic_work_J: float


CURVE_COLUMNS = tuple(f.name for f in dataclasses.fields(CurveRow))


class CurveFile:
    """``curve.csv`` on rank 0, flushed row by row and kept in memory (``columns``). On a
    restart the rows after the checkpoint's step are dropped and the file is continued (kept
    rows are rewritten under today's columns, nan where an older version had no such
    column)."""

    def __init__(self, path: Path, loads: tuple[str, ...], keep_steps: int | None,
                 enabled: bool) -> None:
        self.header = [*CURVE_COLUMNS, *loads]
        self.rows: list[list[float]] = []
        self.file = None
        if not enabled:
            return
        if keep_steps is not None and path.is_file():
            with open(path, newline="") as f:
                self.rows = [[float(row.get(c) or "nan") for c in self.header]
                             for row in csv.DictReader(f)
                             if float(row["step"]) <= keep_steps]
        self.file = open(path, "w", newline="")
        self.writer = csv.writer(self.file)
        # kept rows as ``write`` wrote them (steps and iteration counts as integers)
        self.writer.writerows([self.header, *([f"{v:.10g}" for v in r] for r in self.rows)])
        self.file.flush()

    def write(self, row: CurveRow, loads: dict[str, float]) -> None:
        if self.file is None:
            return
        values = [*dataclasses.astuple(row), *(loads[name] for name in self.header[
            len(CURVE_COLUMNS):])]
        self.rows.append([float(v) for v in values])
        self.writer.writerow([f"{v:.10g}" if isinstance(v, float) else v for v in values])
        self.file.flush()

    def columns(self) -> dict[str, np.ndarray]:
        """The curve so far as arrays by column name (rank 0; empty elsewhere)."""
        data = np.array(self.rows, dtype=float).reshape(-1, len(self.header))
        return {name: data[:, k] for k, name in enumerate(self.header)}

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class FieldFiles:
    """``fields.pvd`` over restarts: each restart writes its frames through its own VTKFile
    (``fields_restartK.pvd``), and ``fields.pvd`` lists the frames of all of them. It is
    rewritten after every frame, so a running or killed run opens in ParaView too (DOLFINx
    writes its own collection only when the file is closed)."""

    def __init__(self, comm: MPI.Comm, out: Path, run: RunState) -> None:
        self.comm, self.out, self.run = comm, out, run
        self.stem = "fields" if run.restarts == 0 else f"fields_restart{run.restarts}"
        self.vtk = io.VTKFile(comm, str(out / f"{self.stem}.pvd"), "w")
        self.count = 0

    def write(self, functions: list, t: float) -> None:
        self.vtk.write_function(functions, t)
        # DOLFINx names frame k of STEM.pvd STEMk (6 digits).pvtu
        self.run.frames.append([t, f"{self.stem}{self.count:06d}.pvtu"])
        self.count += 1
        if self.comm.rank == 0:
            entries = "\n".join(
                f'    <DataSet timestep="{time_:.17g}" part="0" file="{name}" />'
                for time_, name in self.run.frames)
            write_atomic(self.out / "fields.pvd",
                         '<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n'
                         f"  <Collection>\n{entries}\n  </Collection>\n</VTKFile>\n")

    def close(self) -> None:
        self.vtk.close()
        self.vtk = None  # DOLFINx saves the collection again when the file object is destroyed
        if self.count == 0 and self.stem != "fields" and self.comm.rank == 0:
            # a restart that stopped before its first frame: its own collection is empty and
            # would only be a second, blank file next to fields.pvd
            (self.out / f"{self.stem}.pvd").unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a reader (or a run killed
    meanwhile) sees the old or the new file, never a part."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_summary(out: Path, summary: dict[str, Any]) -> None:
    """``summary.json``, atomically (rank 0 only)."""
    write_atomic(out / SUMMARY, json.dumps(plain(summary), indent=2))


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars and arrays as numbers and lists, non-finite
    floats as None (JSON has no Infinity or NaN)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def case_changes(old: Any, new: Any, path: str = "") -> list[str]:
    """Key paths where two plain cases differ, apart from ``RESTART_MAY_CHANGE``."""
    if path in RESTART_MAY_CHANGE:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [c for k in sorted(set(old) | set(new))
                for c in case_changes(old.get(k), new.get(k), f"{path}.{k}" if path else k)]
    return [] if old == new else [path]


def probe_output(out: Path, comm: MPI.Comm) -> None:
    """InputError on every rank unless the output directory can be made and written (tried
    on rank 0 before anything is built, so a bad --out costs no meshing or solving); removes
    temporary files that a run killed while writing left there."""
    problem = None
    if comm.rank == 0:
        probe = out / ".stz-fem-write-test"
        try:
            out.mkdir(parents=True, exist_ok=True)
            probe.write_text("")
            probe.unlink()
            for stale in out.glob("*.tmp*"):  # left by a run killed while writing
                stale.unlink()
        except OSError as err:
            problem = f"--out {out}: cannot write there ({err.strerror or err})"
    problem = comm.bcast(problem, root=0)
    if problem is not None:
        raise InputError(problem)


def previous_run(out: Path, case: dict[str, Any], comm: MPI.Comm) -> str | None:
    """What ``out`` holds of this very (plain) case (collective): "completed", "checkpoint"
    (an unfinished run that a restart continues) or None."""
    state = None
    path = out / SUMMARY
    if comm.rank == 0 and path.exists():
        try:
            summary = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = {}
        if summary.get("case") == case:
            if summary.get("status") == "completed":
                state = "completed"
            elif (out / CHECKPOINT).exists():
                state = "checkpoint"
    return comm.bcast(state, root=0)
