"""Run a specimen case: build, step adaptively, write ParaView fields, curve and summary.

Outputs in the run directory: ``fields.pvd`` (VTKFile: displacement and DG0 cell averages),
``curve.csv`` (one row per step, flushed as it goes), ``summary.json`` (rewritten at every field
output with ``status`` "running", then "completed", "stopped" (at ``solver.max_steps``) or
"failed": a run that stops early leaves valid files up to its last output) and
``checkpoint.npz``, from which ``run(restart=True)`` (``stz-fem run --restart``) continues.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import csv
import dataclasses
import gc
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem, io
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem import initial_chi, plots
from stz_fem.atomistic.energy_chi import chi_from_energy
from stz_fem.cases import validate
from stz_fem.errors import InputError
from stz_fem.fem import checkpoint
from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.fields import CellFields
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import from_mapping
from stz_fem.material.mandel import equivalent_shear_stress
from stz_fem.material_point import read_curve
from stz_fem.postprocess.band_measures import band_measures, flowing_fraction, localization_index
from stz_fem.postprocess.load_history import localization_onset
from stz_fem.postprocess.specimen_results import specimen_results, surface_bands
from stz_fem.specimens import SPECIMENS
from stz_fem.specimens.base import COMMON_SCHEMA, Specimen


class StepFailure(RuntimeError):
    """The solver could not advance even with the smallest step."""


def load_case(data: dict) -> tuple[dict, Specimen]:
    """Validate raw case data against the common and the specimen's schema."""
    name = data.get("specimen")
    if name not in SPECIMENS:
        raise InputError(f"specimen = {name!r}: allowed: {', '.join(SPECIMENS)}")
    specimen_cls = SPECIMENS[name]
    case = validate(data, {**COMMON_SCHEMA, **specimen_cls.schema})
    from_mapping(case["material"], where="material")
    return case, specimen_cls(case)


def chi0_function(case: dict, params, lower, upper):
    """χ₀(points) for the case's ``initial_chi`` section (K)."""
    spec = case["initial_chi"]
    base = params.chi0 if spec["value"] is None else spec["value"]
    kind = spec["kind"]
    if kind == "uniform":
        return lambda x: initial_chi.uniform(x, base)
    if kind == "bumps":
        try:
            bump_list = [initial_chi.Bump(b["centre"], b["amplitude"], b["width"])
                         for b in spec["bumps"]]
        except (KeyError, TypeError):
            raise InputError(
                "initial_chi.bumps: each bump needs centre (m), amplitude (K) and width (m)"
            ) from None
        return lambda x: initial_chi.bumps(x, base, bump_list)
    if kind == "random":
        return lambda x: initial_chi.random_field(
            x, lower, upper, base, spec["std"], spec["correlation_length"], spec["seed"]
        )
    beta, u0 = spec["energy_beta"], spec["energy_u0"]
    if (beta is None) != (u0 is None):
        raise InputError("initial_chi: energy_beta (1/eV) and energy_u0 (eV) go together; "
                         f"got energy_beta = {beta!r}, energy_u0 = {u0!r}")
    if beta is None:
        return lambda x: initial_chi.gridded(x, spec["file"], spec["key"], spec["frame"])
    return lambda x: chi_from_energy(
        initial_chi.gridded(x, spec["file"], spec["key"], spec["frame"]), beta, u0, params.T_Z
    )


class Simulation:
    """A specimen case ready to run (collective over the mesh communicator).

    Use as a context manager (or call ``close``) so that PETSc objects are freed on all ranks
    together.
    """

    def __init__(self, data: dict, out: str | Path, comm: MPI.Comm = MPI.COMM_WORLD) -> None:
        self.case, self.specimen = load_case(data)
        self.params = from_mapping(self.case["material"])
        self.comm = comm
        self.out = Path(out)
        self.setup = self.specimen.build(comm)
        mesh = self.setup.mesh
        x = mesh.geometry.x[:, : mesh.geometry.dim]
        lower, upper = np.empty(x.shape[1]), np.empty(x.shape[1])
        comm.Allreduce(x.min(axis=0), lower, op=MPI.MIN)
        comm.Allreduce(x.max(axis=0), upper, op=MPI.MAX)
        chi0 = chi0_function(self.case, self.params, lower, upper)
        self.solver = MechanicsSolver(
            mesh, self.params, chi0, degree=self.case["mesh"]["degree"],
            prescribed=self.setup.prescribed, periodic=self.setup.periodic,
            linear_solver=self.case["solver"]["linear"],
            energy=self.setup.contact.energy if self.setup.contact is not None else None,
        )
        self.diffusion = (
            ChiDiffusion(self.solver.q, self.params.c0, self.params.l_chi, self.setup.periodic)
            if self.params.l_chi > 0.0 else None
        )
        self.fields = CellFields(self.solver)
        self.rank0 = comm.rank == 0

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self.comm.size > 1 and not issubclass(exc_type, InputError):
            # Input errors come from the same input on every rank; any other error may be on
            # this rank alone, and freeing PETSc objects (collective) would then pair with
            # whatever collective the others are in and hang. Report it and end all ranks.
            lines = traceback.format_exception(exc_type, exc, tb)
            sys.stderr.write(f"[rank {self.comm.rank}] stz-fem stopped by an error:\n"
                             + "".join(lines))
            sys.stderr.flush()
            self.comm.Abort(1)
        self.close()

    def close(self) -> None:
        """Free PETSc objects collectively (see ``MechanicsSolver.destroy``).

        petsc4py parks parallel objects whose Python wrappers the garbage collector freed until
        a collective ``garbage_cleanup``; collecting cycles on every rank at this same point
        and freeing the parked objects first keeps the explicit destroys that follow the same
        on all ranks (CI hung in them; see ``MechanicsSolver.destroy`` for the other cause).
        """
        self.comm.Barrier()
        gc.collect()
        PETSc.garbage_cleanup(self.comm)
        self.solver.destroy()
        if self.diffusion is not None:
            self.diffusion.destroy()
        gc.collect()
        PETSc.garbage_cleanup(self.comm)

    # -- bookkeeping -------------------------------------------------------------------

    def _band_state(self, full: bool) -> dict[str, Any] | None:
        gathered = self.fields.gather(self.fields.averages())
        result = None
        if self.rank0:
            if full:
                result = band_measures(
                    gathered["coords"], gathered["volume"], gathered["D_per_s"],
                    gathered["dissipation"], gathered["plastic_strain"], gathered["chi_K"],
                    self.specimen.loading_axis, period=self.setup.period,
                )
                result.update(surface_bands(self.specimen, gathered))
            else:
                result = {"localization_index": localization_index(
                    gathered["D_per_s"], gathered["dissipation"], gathered["volume"])}
            result["flowing_fraction"] = flowing_fraction(gathered["D_per_s"],
                                                          gathered["volume"])
            result["plastic_power_W"] = float(gathered["dissipation"] @ gathered["volume"])
        return self.comm.bcast(result, root=0)

    def _summary(self, status: str, history: list[dict], stats: dict) -> dict:
        loads = [h["nominal_strain"] for h in history]
        ls = [h["localization_index"] for h in history]
        last = history[-1] if history else {}
        # L counts once at least the 5 % it ranks flows, and a notch root's early L > 0.5 only
        # if it lasts (load_history.localization_onset)
        flowing = [h.get("flowing_fraction", 1.0) for h in history]
        onset = localization_onset(loads, ls, flowing=flowing) if history else None
        work = [h.get("plastic_work_J", 0.0) for h in history]
        work_at_onset = float(np.interp(onset, loads, work)) if onset is not None else None
        dofs = self.solver.V.dofmap.index_map.size_global * self.solver.V.dofmap.index_map_bs
        return {
            "status": status,
            "title": self.case["title"],
            "specimen": self.case["specimen"],
            "dofs": dofs,
            "ranks": self.comm.size,
            **stats,
            "bands": {
                "localization_index": last.get("localization_index"),
                "onset_nominal_strain": onset,
                "plastic_work_before_onset_J": work_at_onset,
                "orientation_deg": last.get("orientation_deg"),
                "width_m": last.get("width_m"),
                "width_chi_m": last.get("width_chi_m"),
                "centre_m": last.get("centre_m"),
                "count": last.get("count"),
                "spacing_m": last.get("spacing_m"),
                "positions_m": last.get("positions_m"),
                "period_m": last.get("period_m"),
            },
            "specimen_results": self._specimen_results(),
            "band_history": history,
            "loading_axis": self.specimen.loading_axis,
            "period_m": self.setup.period,
            "case": self.case,
        }

    def _specimen_results(self) -> dict:
        path = self.out / "curve.csv"
        if not self.rank0 or not path.is_file():
            return {}
        with open(path) as f:
            if sum(1 for _ in f) < 2:  # no step yet
                return {}
        return specimen_results(self.specimen, read_curve(path))

    # -- run ---------------------------------------------------------------------------

    def run(self, progress: bool = True, restart: bool = False) -> dict:
        """Step to the end of the loading; returns the summary (also written to disk).

        A checkpoint (``checkpoint.npz``) is written at every field output and at the end;
        ``restart`` continues from it, on any number of ranks, dropping the curve rows and
        field frames written after it.
        """
        self.out.mkdir(parents=True, exist_ok=True)
        solver, spec, limits = self.solver, self.specimen, self.case["solver"]
        stress_scale = self.params.chi_stress_scale
        t_end = spec.end_time
        output_dt = self.case["output"]["interval"] / spec.strain_rate
        if restart:
            run = self._restore()
        else:
            dt = limits["stress_increment"] * stress_scale / (self.params.G * spec.strain_rate)
            run = _RunState(dt=dt)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        sbar_prev = equivalent_shear_stress(solver.stress)

        fields = _FieldFiles(self.comm, self.out, run) if self.case["output"]["fields"] else None
        curve = _CurveFile(self.out / "curve.csv", spec.load_columns,
                           run.step if restart else None, self.rank0)
        bar = _Progress(self.rank0 and progress, t_end)

        def stats() -> dict:
            return {
                "steps": run.step, "newton_iterations": run.newton_total,
                "rejected_steps": run.rejected, "restarts": run.restarts,
                "wall_time_s": run.wall_s + time.perf_counter() - wall0,
                "cpu_time_s": run.cpu_s + self.comm.allreduce(
                    time.process_time() - cpu0, op=MPI.SUM),
                "time_s": run.t, "nominal_strain": spec.nominal_strain(run.t),
            }

        def output(status: str = "running") -> None:
            measures = self._band_state(full=True)
            run.history.append({"time_s": run.t, "nominal_strain": spec.nominal_strain(run.t),
                                "plastic_work_J": run.plastic_work, **measures})
            if fields is not None:
                fields.write(self.fields.update_functions(self.fields.averages()), run.t)
            self._write_summary(status, run.history, stats())
            run.next_output = run.t + output_dt
            self._checkpoint(run, stats())

        status = "failed"
        try:
            if not restart:
                output()
            while run.t < t_end * (1 - 1e-12) and run.step < limits["max_steps"]:
                dt = min(run.dt, t_end - run.t, max(run.next_output - run.t, 1e-12 * t_end))
                dt, its, ratio, tries = self._advance(run.t, dt, sbar_prev, limits, stress_scale)
                run.rejected += tries
                solver.commit()
                if self.diffusion is not None:
                    self.diffusion.apply(solver.state.chi, solver.rate, dt)
                sbar_prev = equivalent_shear_stress(solver.stress)
                run.t += dt
                run.step += 1
                run.newton_total += its
                loads = spec.loads(solver, self.setup)
                state = self._band_state(full=False)
                lindex = state["localization_index"]
                run.plastic_work += state["plastic_power_W"] * dt  # backward Euler
                curve.write([run.step, run.t, dt, spec.nominal_strain(run.t),
                             loads["mean_stress_Pa"], lindex, its,
                             solver.global_max(solver.rate), solver.global_max(solver.state.chi),
                             state["flowing_fraction"], run.plastic_work,
                             *(loads[name] for name in spec.load_columns)])
                bar.update(run.t, run.step, its, spec.nominal_strain(run.t), lindex)
                if run.t >= run.next_output * (1 - 1e-9) or run.t >= t_end * (1 - 1e-12):
                    output()
                grow = min(1.5, 0.8 / max(ratio, 1e-3))
                if its > limits["newton_target"]:
                    grow = min(grow, 0.7)
                run.dt = dt * grow
            finished = run.t >= t_end * (1 - 1e-12)
            status = "completed" if finished else "stopped"
            if not finished:
                self._checkpoint(run, stats())
        finally:
            bar.close()
            self._write_summary(status, run.history, stats())
            if fields is not None:
                fields.close()
            curve.close()
        summary = self._summary(status, run.history, stats())
        self._plot(summary["bands"])
        return summary

    def previous_run(self) -> str | None:
        """What the output directory holds of this very case (collective): "completed",
        "checkpoint" (an unfinished run that ``run(restart=True)`` continues) or None."""
        state = None
        path = self.out / "summary.json"
        if self.rank0 and path.exists():
            summary = json.loads(path.read_text())
            if summary.get("case") == _plain(self.case):
                if summary.get("status") == "completed":
                    state = "completed"
                elif (self.out / CHECKPOINT).exists():
                    state = "checkpoint"
        return self.comm.bcast(state, root=0)

    def _checkpoint(self, run: _RunState, stats: dict) -> None:
        solver = self.solver
        scalars = {**dataclasses.asdict(run), "wall_s": stats["wall_time_s"],
                   "cpu_s": stats["cpu_time_s"], "last_dt": solver.last_dt,
                   "case": self.case}
        checkpoint.write(self.out / CHECKPOINT, solver, {"increment": solver.last_increment()},
                         _plain(scalars))

    def _restore(self) -> _RunState:
        increment = fem.Function(self.solver.V)
        scalars = checkpoint.read(self.out / CHECKPOINT, self.solver, {"increment": increment})
        changed = _case_changes(scalars.pop("case"), _plain(self.case))
        if changed:
            raise InputError(f"--restart: {changed[0]} differs from the run that wrote "
                             f"{self.out / CHECKPOINT} (only the end point "
                             "(loading.end_strain or end_depth), solver and output may change; "
                             "--set repeats an override)")
        self.solver.restore(scalars["t"], increment, scalars.pop("last_dt"))
        run = _RunState(**scalars)
        run.restarts += 1
        return run

    def _plot(self, band_measures: dict[str, Any]) -> None:
        """``run.png`` of the final state (``plots.plot_specimen_run``)."""
        gathered = self.fields.gather(self.fields.averages())
        if not self.rank0:
            return
        curve = read_curve(self.out / "curve.csv")
        if curve["step"].size >= 2:
            plots.plot_specimen_run(self.out / "run.png", self.specimen, curve, gathered,
                                    band_measures["onset_nominal_strain"])

    def _advance(self, t, dt, sbar_prev, limits, stress_scale):
        """Solve one step, shrinking it until Newton converges and the increments are within
        the limits. Returns (dt, Newton iterations, increment ratio, rejected tries)."""
        solver = self.solver
        for tries in range(40):
            ok, its = solver.solve_step(t + dt, dt)
            if ok:
                d_chi = solver.global_max(np.abs(solver.trial.chi - solver.state.chi))
                d_plastic = solver.global_max(2.0 * solver.rate * dt)
                d_stress = solver.global_max(
                    np.abs(equivalent_shear_stress(solver.stress) - sbar_prev)) / stress_scale
                ratio = max(d_chi / limits["chi_increment"],
                            d_plastic / limits["plastic_increment"],
                            d_stress / limits["stress_increment"])
                if ratio <= 1.25:
                    return dt, its, ratio, tries
                dt *= max(0.2, 0.8 / ratio)
            else:
                dt *= 0.5
        raise StepFailure(f"no convergence at t = {t:.6g} s even with dt = {dt:.3g} s")

    def _write_summary(self, status: str, history: list[dict], stats: dict) -> None:
        summary = self._summary(status, history, stats)
        if self.rank0:
            tmp = self.out / "summary.json.tmp"
            tmp.write_text(json.dumps(summary, indent=2, default=_json_default))
            tmp.replace(self.out / "summary.json")


CHECKPOINT = "checkpoint.npz"
RESTART_MAY_CHANGE = ("loading.end_strain", "loading.end_depth", "solver", "output", "title")
"""Case keys a restart may change: how far to go, the step control and the outputs."""


def _case_changes(old: Any, new: Any, path: str = "") -> list[str]:
    """Key paths where two cases differ, apart from ``RESTART_MAY_CHANGE``."""
    if path in RESTART_MAY_CHANGE:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [c for k in sorted(set(old) | set(new))
                for c in _case_changes(old.get(k), new.get(k), f"{path}.{k}" if path else k)]
    return [] if old == new else [path]


@dataclasses.dataclass
class _RunState:
    """Where a run is: what a checkpoint stores besides the solver state (times in s)."""

    dt: float
    t: float = 0.0
    step: int = 0
    newton_total: int = 0
    rejected: int = 0
    next_output: float = 0.0
    history: list[dict] = dataclasses.field(default_factory=list)
    frames: list[list] = dataclasses.field(default_factory=list)
    """(time in s, .pvtu file name) of every field output so far."""
    restarts: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    plastic_work: float = 0.0
    """Plastic dissipation so far, J (per m of thickness in 2-D)."""


class _FieldFiles:
    """``fields.pvd`` over restarts: each restart writes its frames through its own VTKFile
    (``fields_restartK.pvd``), and ``fields.pvd`` lists the frames of all of them."""

    def __init__(self, comm: MPI.Comm, out: Path, run: _RunState) -> None:
        self.comm, self.out, self.run = comm, out, run
        self.stem = "fields" if run.restarts == 0 else f"fields_restart{run.restarts}"
        self.vtk = io.VTKFile(comm, str(out / f"{self.stem}.pvd"), "w")
        self.count = 0

    def write(self, functions: list, t: float) -> None:
        self.vtk.write_function(functions, t)
        # DOLFINx names frame k of STEM.pvd STEMk (6 digits).pvtu
        self.run.frames.append([t, f"{self.stem}{self.count:06d}.pvtu"])
        self.count += 1
        if self.run.restarts and self.comm.rank == 0:
            entries = "\n".join(
                f'    <DataSet timestep="{time_:.17g}" part="0" file="{name}" />'
                for time_, name in self.run.frames)
            text = ('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n'
                    f"  <Collection>\n{entries}\n  </Collection>\n</VTKFile>\n")
            (self.out / "fields.pvd.tmp").write_text(text)
            (self.out / "fields.pvd.tmp").replace(self.out / "fields.pvd")

    def close(self) -> None:
        self.vtk.close()


class _CurveFile:
    """``curve.csv`` on rank 0, flushed row by row; on a restart the rows after the
    checkpoint's step are dropped and the file is continued (kept rows are rewritten under
    today's columns, "nan" where a run from an older version had no such column)."""

    COLUMNS = ("step", "time_s", "dt_s", "nominal_strain", "mean_stress_Pa",
               "localization_index", "newton_iterations", "max_D_per_s", "max_chi_K",
               "flowing_fraction", "plastic_work_J")

    def __init__(self, path: Path, extra: tuple[str, ...], keep_steps: int | None,
                 enabled: bool) -> None:
        self.file = None
        if not enabled:
            return
        columns = [*self.COLUMNS, *extra]
        kept: list[list[str]] = []
        if keep_steps is not None and path.is_file():
            with open(path, newline="") as f:
                kept = [[row.get(c, "nan") for c in columns] for row in csv.DictReader(f)
                        if int(row["step"]) <= keep_steps]
        self.file = open(path, "w", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerows([columns, *kept])
        self.file.flush()

    def write(self, row: list) -> None:
        if self.file is not None:
            self.writer.writerow([f"{v:.10g}" if isinstance(v, float) else v for v in row])
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _plain(value: Any) -> Any:
    """``value`` as it reads back from JSON (numpy scalars and arrays as numbers and lists)."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serializable: {type(value)}")


class _Progress:
    """A rich progress bar on rank 0 when attached to a terminal, periodic lines otherwise."""

    def __init__(self, enabled: bool, t_end: float) -> None:
        self.enabled = enabled
        self.t_end = t_end
        self._bar = None
        self._last_line = -1.0
        if enabled and sys.stdout.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(),
                TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
            )
            self._task = self._bar.add_task("stz-fem", total=t_end, info="")
            self._bar.start()

    def update(self, t: float, step: int, its: int, strain: float, lindex: float) -> None:
        if not self.enabled:
            return
        info = f"step {step}  strain {strain:.4f}  Newton {its}  L {lindex:.2f}"
        if self._bar is not None:
            self._bar.update(self._task, completed=t, info=info)
        elif t / self.t_end >= self._last_line + 0.1:
            self._last_line = t / self.t_end
            print(f"{100 * t / self.t_end:5.1f}%  {info}", flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
