"""The stepping loop of a specimen run: adaptive steps to the end of the loading.

``Simulation(data, out)`` builds the specimen's mesh and solver; ``run`` steps, measures the
bands at every field output and writes the run files (``stz_fem.run_files``: curve, fields,
summary, checkpoint); ``run(restart=True)`` continues from the checkpoint on any number of
ranks.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import collections
import dataclasses
import gc
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from stz_fem import plots, run_files
from stz_fem.errors import InputError, RunError
from stz_fem.fem import checkpoint
from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.fields import CellFields
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.initial_chi import chi0_field
from stz_fem.interrupts import Interrupts
from stz_fem.material.mandel import equivalent_shear_stress
from stz_fem.postprocess.band_measures import band_measures, flowing_fraction, localization_index
from stz_fem.postprocess.load_history import localization_onset
from stz_fem.postprocess.specimen_results import specimen_results, surface_bands
from stz_fem.progress import Progress
from stz_fem.run_files import CHECKPOINT, CurveFile, CurveRow, FieldFiles, RunState
from stz_fem.specimens import load_case
from stz_fem.step_control import StepController


class StepFailure(RunError):
    """The solver could not advance even with the smallest step."""


STALL_WINDOW = 2000
"""Steps over which progress is judged: a run whose last ``STALL_WINDOW`` steps advanced the
loading by less than ``STALL_FRACTION`` of its whole span would need more than a billion steps
at that pace, and stops as "stalled" (with a checkpoint) instead of crawling on silently."""
STALL_FRACTION = 2e-6


def step_ratios(solver: MechanicsSolver, sbar_start: np.ndarray, dt: float, limits,
                params, onset: bool = False) -> dict[str, float]:
    """The largest increments of a solved step over their limits (collective): χ and the
    engineering plastic strain at any point, and the change of s̄ (in units of s_χ) weighted
    at each point by its plastic increment over its limit (capped at 1).

    Backward Euler is exact for an elastic step of any size (below the STZ yield stress D = 0
    and nothing depends on the rate), so where nothing flows the stress needs no limit. Where
    the material flows, a change Δs̄ within the step changes D by about Δs̄ ∂log D/∂s̄, and the
    error of the plastic increment Δεᵖ is about Δεᵖ times that relative change: the product
    (Δs̄/limit)·(Δεᵖ/limit) bounds it. At full plastic increments it is the old stress limit;
    at a point barely flowing, or not at all, the stress may change freely.

    ``onset``: nothing flowed at the start of the step. Then every point that flows at its end
    counts with weight 1, so the step where flow starts changes s̄ there by no more than the
    plain limit, and the onset of plastic flow (the end of that step, as curves and summaries
    report it) is as sharp as with small elastic steps.
    """
    d_chi = solver.global_max(np.abs(solver.trial.chi - solver.state.chi))
    plastic = 2.0 * solver.rate * dt
    d_plastic = solver.global_max(plastic)
    weight = (plastic > 0.0 if onset else np.minimum(plastic / limits.plastic_increment, 1.0))
    d_stress = solver.global_max(
        weight * np.abs(equivalent_shear_stress(solver.stress) - sbar_start))
    return {"chi": d_chi / limits.chi_increment,
            "plastic": d_plastic / limits.plastic_increment,
            "stress": d_stress / params.chi_stress_scale / limits.stress_increment}


class Simulation:
    """A specimen case ready to run (collective over the mesh communicator).

    Use as a context manager (or call ``close``) so that PETSc objects are freed on all ranks
    together.
    """

    def __init__(self, data: dict, out: str | Path, comm: MPI.Comm = MPI.COMM_WORLD) -> None:
        self.specimen = load_case(data)
        self.case = self.specimen.case
        self.params = self.case.material.effective()  # G(T) when dG_dT ≠ 0 (model.md §2.3)
        self.comm = comm
        self.out = Path(out)
        self.stop_reason: str | None = None
        self.specimen.check_size()
        run_files.probe_output(self.out, comm)
        self.setup = self.specimen.build(comm)
        mesh = self.setup.mesh
        x = mesh.geometry.x[:, : mesh.geometry.dim]
        lower, upper = np.empty(x.shape[1]), np.empty(x.shape[1])
        comm.Allreduce(x.min(axis=0), lower, op=MPI.MIN)
        comm.Allreduce(x.max(axis=0), upper, op=MPI.MAX)
        chi0 = chi0_field(self.case.initial_chi, self.params, lower, upper)
        _check_chi0(chi0, x, comm)
        self.solver = MechanicsSolver(
            mesh, self.params, chi0, degree=self.case.mesh.degree,
            prescribed=self.setup.prescribed, periodic=self.setup.periodic,
            linear_solver=self.case.solver.linear,
            energy=self.setup.contact.energy if self.setup.contact is not None else None,
            machine=self.setup.machine,
        )
        self.diffusion = (
            ChiDiffusion(self.solver.q, self.params.c0, self.params.l_chi, self.setup.periodic)
            if self.params.l_chi > 0.0 else None
        )
        self.fields = CellFields(self.solver)
        self.rank0 = comm.rank == 0
        self.controller = StepController()
        self._loads: dict[str, float] | None = None  # of the last committed step
        self._flowing: bool | None = None  # whether anything flowed in the last one

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        collective = (InputError, RunError)
        if exc_type is not None and self.comm.size > 1 and not issubclass(exc_type, collective):
            # Input and run errors are raised on every rank together; any other error may be on
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

    def previous_run(self) -> str | None:
        """What the output directory holds of this very case (collective): "completed",
        "checkpoint" (an unfinished run that ``run(restart=True)`` continues) or None."""
        return run_files.previous_run(self.out, self.case.plain(), self.comm)

    # -- run ---------------------------------------------------------------------------

    def run(self, progress: bool = True, restart: bool = False) -> dict:
        """Step to the end of the loading; returns the summary (also written to disk).

        A checkpoint (``checkpoint.npz``) is written at every field output and at the end;
        ``restart`` continues from it, on any number of ranks, dropping the curve rows and
        field frames written after it.
        """
        self.out.mkdir(parents=True, exist_ok=True)
        spec, limits = self.specimen, self.case.solver
        t_end = spec.end_time
        output_dt = self.case.output.interval / spec.strain_rate
        if restart:
            run = self._restore()
        else:
            run = RunState(dt=limits.stress_increment * self.params.chi_stress_scale
                           / (self.params.G * spec.strain_rate))
        self._clock = (time.perf_counter(), time.process_time())
        fields = FieldFiles(self.comm, self.out, run) if self.case.output.fields else None
        curve = CurveFile(self.out / run_files.CURVE, spec.load_columns,
                          run.step if restart else None, self.rank0)
        bar = Progress(self.rank0 and progress, t_end)
        if self.rank0 and progress:
            print(f"linear solver: {self.solver.linear_reason}", flush=True)

        def output(status: str = "running") -> None:
            measures = self._band_state(full=True)
            run.history.append({"time_s": run.t, "nominal_strain": spec.nominal_strain(run.t),
                                "plastic_work_J": run.plastic_work, **measures})
            if fields is not None:
                fields.write(self.fields.update_functions(self.fields.averages()), run.t)
            self._write_summary(status, run, curve)
            run.next_output = run.t + output_dt
            self._checkpoint(run)

        status = "failed"
        progress_since = collections.deque([run.t], maxlen=STALL_WINDOW + 1)
        try:
            with Interrupts(self.comm) as interrupts:
                if not restart:
                    output()
                while run.t < t_end * (1 - 1e-12):
                    stop = self._stop(run, interrupts, progress_since, t_end)
                    if stop is not None:
                        status = stop
                        break
                    self._step(run, curve, bar, t_end)
                    progress_since.append(run.t)
                    if run.t >= run.next_output * (1 - 1e-9) or run.t >= t_end * (1 - 1e-12):
                        output()
                else:
                    status = "completed"
                if status != "completed":
                    self._checkpoint(run)
        finally:
            bar.close()
            self._write_summary(status, run, curve)
            if fields is not None:
                fields.close()
            curve.close()
        summary = self._summary(status, run, curve)
        self._plot(curve, summary["bands"])
        return summary

    def _stop(self, run: RunState, interrupts: Interrupts, progress_since: collections.deque,
              t_end: float) -> str | None:
        """Why the run must stop before its next step, as its status ("stopped", "stalled",
        "interrupted"; ``stop_reason`` says more), or None to go on. The same on every rank."""
        limits = self.case.solver
        signal_name = interrupts.requested()
        if signal_name is not None:
            self.stop_reason = f"interrupted by {signal_name} at step {run.step}"
            return "interrupted"
        if run.step >= limits.max_steps:
            self.stop_reason = f"solver.max_steps = {limits.max_steps} reached"
            return "stopped"
        # only with a limit (the same on every rank): the wall time is a collective of its own
        if limits.max_wall_time is not None and self.comm.allreduce(
                run.wall_s + time.perf_counter() - self._clock[0], op=MPI.MAX
        ) >= limits.max_wall_time:
            self.stop_reason = f"solver.max_wall_time = {limits.max_wall_time:g} s reached"
            return "stopped"
        if (len(progress_since) > STALL_WINDOW
                and run.t - progress_since[0] < STALL_FRACTION * t_end):
            self.stop_reason = (
                f"stalled: the last {STALL_WINDOW} steps advanced the loading by "
                f"{(run.t - progress_since[0]) / t_end:.2g} of its span (dt ≈ {run.dt:.3g} s "
                f"at t = {run.t:.6g} s); the state is likely unphysical for these settings "
                "(e.g. a very low χ₀ or T)")
            return "stalled"
        return None

    def _step(self, run: RunState, curve: CurveFile, bar: Progress, t_end: float) -> None:
        """Advance by one accepted step, χ diffusion included, and record it."""
        solver, spec = self.solver, self.specimen
        # the controller's proposal, shortened to land on the next output or the end
        dt = min(run.dt, t_end - run.t, max(run.next_output - run.t, 1e-12 * t_end))
        dt, its, ratio, tries = self._advance(run.t, dt)
        run.rejected += tries
        solver.commit()
        if self.diffusion is not None:
            self.diffusion.apply(solver.state.chi, solver.rate, dt)
            run.chi_clip_K = max(run.chi_clip_K, self.diffusion.clipped_K)
        run.t += dt
        run.step += 1
        run.newton_total += its
        loads = self._loads = spec.loads(solver, self.setup)
        state = self._band_state(full=False)
        run.plastic_work += state["plastic_power_W"] * dt  # backward Euler
        max_rate = solver.global_max(solver.rate)
        self._flowing = max_rate > 0.0
        curve.write(CurveRow(
            step=run.step, time_s=run.t, dt_s=dt, nominal_strain=spec.nominal_strain(run.t),
            mean_stress_Pa=loads["mean_stress_Pa"], localization_index=state[
                "localization_index"], newton_iterations=its,
            max_D_per_s=max_rate,
            max_chi_K=solver.global_max(solver.state.chi),
            flowing_fraction=state["flowing_fraction"], plastic_work_J=run.plastic_work,
        ), loads)
        bar.update(run.t, dt, run.step, its, spec.nominal_strain(run.t),
                   state["localization_index"])
        run.dt = self.controller.next(dt, ratio, its > self.case.solver.newton_target)

    def _advance(self, t: float, dt: float) -> tuple[float, int, float, int]:
        """Solve one step, shrinking it until Newton converges and the increments are within
        the limits. Returns (dt, Newton iterations, increment ratio, rejected tries).

        The limits bound what backward Euler integrates: the χ and plastic-strain increments
        everywhere, and the change of s̄ where the material flows, in proportion to its plastic
        increment (``step_ratios``). The specimen may add a limit of its own
        (``Specimen.step_ratio``: the contact size in indentation).
        """
        solver, limits = self.solver, self.case.solver
        sbar_start = equivalent_shear_stress(solver.stress)
        if self.specimen.limits_steps and self._loads is None:
            self._loads = self.specimen.loads(solver, self.setup)
        if self._flowing is None:
            self._flowing = solver.global_max(solver.rate) > 0.0
        for tries in range(40):
            ok, its = solver.solve_step(t + dt, dt)
            if ok:
                ratios = step_ratios(solver, sbar_start, dt, limits, self.params,
                                     onset=not self._flowing)
                if self.specimen.limits_steps:
                    ratios["loading"] = self.specimen.step_ratio(
                        self._loads, self.specimen.loads(solver, self.setup))
                ratio = max(ratios.values())
                if self.controller.accepts(ratio):
                    return dt, its, ratio, tries
                dt = self.controller.retry(dt, ratio)
            else:
                dt *= 0.5
        raise StepFailure(f"no convergence at t = {t:.6g} s even with dt = {dt:.3g} s")

    # -- measures and files --------------------------------------------------------------

    def _band_state(self, full: bool) -> dict[str, Any]:
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

    def _stats(self, run: RunState) -> dict[str, Any]:
        wall0, cpu0 = self._clock
        return {
            "steps": run.step, "newton_iterations": run.newton_total,
            "rejected_steps": run.rejected, "restarts": run.restarts,
            "wall_time_s": run.wall_s + time.perf_counter() - wall0,
            "cpu_time_s": run.cpu_s + self.comm.allreduce(time.process_time() - cpu0,
                                                          op=MPI.SUM),
            "time_s": run.t, "nominal_strain": self.specimen.nominal_strain(run.t),
            "chi_clip_max_K": run.chi_clip_K,
        }

    def _summary(self, status: str, run: RunState, curve: CurveFile) -> dict[str, Any]:
        history = run.history
        loads = [h["nominal_strain"] for h in history]
        # L counts once at least the 5 % it ranks flows, and a notch root's early L > 0.5 only
        # if it lasts (load_history.localization_onset)
        flowing = [h.get("flowing_fraction", 1.0) for h in history]
        ls = [h["localization_index"] for h in history]
        onset = localization_onset(loads, ls, flowing=flowing) if history else None
        work = [h.get("plastic_work_J", 0.0) for h in history]
        last = {k: v for k, v in (history[-1] if history else {}).items()
                if k not in ("time_s", "nominal_strain", "plastic_work_J")}
        columns = curve.columns()
        index_map = self.solver.V.dofmap.index_map
        return {
            "status": status,
            "stop_reason": self.stop_reason,
            "title": self.case.title,
            "specimen": self.case.specimen,
            "dofs": index_map.size_global * self.solver.V.dofmap.index_map_bs,
            "ranks": self.comm.size,
            "linear_solver": self.solver.linear_solver,
            **self._stats(run),
            "bands": {
                **last,
                "onset_nominal_strain": onset,
                "plastic_work_before_onset_J": (float(np.interp(onset, loads, work))
                                                if onset is not None else None),
            },
            "specimen_results": (specimen_results(self.specimen, columns)
                                 if columns["step"].size >= 1 else {}),
            "band_history": history,
            "loading_axis": self.specimen.loading_axis,
            "period_m": self.setup.period,
            "case": self.case.plain(),
        }

    def _write_summary(self, status: str, run: RunState, curve: CurveFile) -> None:
        summary = self._summary(status, run, curve)
        if self.rank0:
            run_files.write_summary(self.out, summary)

    def _checkpoint(self, run: RunState) -> None:
        solver = self.solver
        stats = self._stats(run)
        scalars = {**dataclasses.asdict(run), "wall_s": stats["wall_time_s"],
                   "cpu_s": stats["cpu_time_s"], "last_dt": solver.last_dt,
                   "grip": solver.grip_state(), "case": self.case.plain()}
        checkpoint.write(self.out / CHECKPOINT, solver, {"increment": solver.last_increment()},
                         run_files.plain(scalars))

    def _restore(self) -> RunState:
        increment = fem.Function(self.solver.V)
        scalars = checkpoint.read(self.out / CHECKPOINT, self.solver, {"increment": increment})
        changed = run_files.case_changes(scalars.pop("case"), self.case.plain())
        if changed:
            raise InputError(f"--restart: {changed[0]} differs from the run that wrote "
                             f"{self.out / CHECKPOINT} (only the end point "
                             "(loading.end_strain, end_depth or end_time), solver and output "
                             "may change; --set repeats an override)")
        grip = scalars.pop("grip", None)
        self.solver.restore(scalars["t"], increment, scalars.pop("last_dt"),
                            None if grip is None else tuple(grip))
        run = RunState(**scalars)
        run.restarts += 1
        return run

    def _plot(self, curve: CurveFile, band_measures: dict[str, Any]) -> None:
        """``run.png`` of the final state (``plots.plot_specimen_run``)."""
        gathered = self.fields.gather(self.fields.averages())
        if not self.rank0:
            return
        columns = curve.columns()
        if columns["step"].size >= 2:
            plots.plot_specimen_run(self.out / "run.png", self.specimen, columns, gathered,
                                    band_measures["onset_nominal_strain"])


def _check_chi0(chi0, points: np.ndarray, comm: MPI.Comm) -> None:
    """InputError on every rank unless χ₀ is finite and positive at all mesh nodes."""
    values = np.asarray(chi0(points), dtype=float)
    bad = ~(np.isfinite(values) & (values > 0.0))
    local = float(values[bad][0]) if bad.any() else None
    found = [v for v in comm.allgather(local) if v is not None]
    if found:
        raise InputError(f"initial_chi: χ₀ must be finite and > 0 K everywhere; this field "
                         f"(material.chi0 with initial_chi) reaches {found[0]:.4g} K")
