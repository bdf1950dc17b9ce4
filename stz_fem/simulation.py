"""The stepping loop of a specimen run: adaptive steps to the end of the loading.

``Simulation(data, out)`` builds the specimen's mesh and solver; ``run`` steps, measures the
bands at every field output and writes the run files (``stz_fem.run_files``: curve, fields,
summary, checkpoint); ``run(restart=True)`` continues from the checkpoint on any number of
ranks.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import dataclasses
import gc
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc
from pydantic import ValidationError

from stz_fem import plots, run_files
from stz_fem.errors import InputError, RunError
from stz_fem.fem import checkpoint
from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.fields import CellFields
from stz_fem.fem.heat import HeatField
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.fem.step_limits import step_ratios
from stz_fem.initial_chi import chi0_on_mesh
from stz_fem.interrupts import Interrupts
from stz_fem.material.mandel import equivalent_shear_stress
from stz_fem.postprocess.band_measures import band_measures, flowing_fraction, localization_index
from stz_fem.postprocess.load_history import band_summary
from stz_fem.postprocess.specimen_results import specimen_results, surface_bands
from stz_fem.progress import Progress
from stz_fem.run_files import CHECKPOINT, CurveFile, CurveRow, FieldFiles, RunState
from stz_fem.run_limits import RunLimits
from stz_fem.specimens import load_case
from stz_fem.step_control import StepController


class StepFailure(RunError):
    """The solver could not advance even with the smallest step."""


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
        self._limits: RunLimits | None = None  # of the leg that ``run`` steps
        self.specimen.check_size()
        run_files.probe_output(self.out, comm)
        self.setup = self.specimen.build(comm)
        mesh = self.setup.mesh
        chi0 = chi0_on_mesh(self.case.initial_chi, self.params,
                            mesh.geometry.x[:, : mesh.geometry.dim], comm)
        if self.case.heat is not None:
            self.case.heat.check_groups(self.setup.facets, self.case.specimen)
        self.solver = MechanicsSolver(
            mesh, self.params, chi0, degree=self.case.mesh.degree,
            prescribed=self.setup.prescribed, periodic=self.setup.periodic,
            linear_solver=self.case.solver.linear,
            contact=self.setup.contact,
            machine=self.setup.machine,
        )
        self.diffusion = (
            ChiDiffusion(self.solver.q, self.params.c0, self.params.l_chi, self.setup.periodic)
            if self.params.l_chi > 0.0 else None
        )
        self.heat = self._heat_field()
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
        if self.heat is not None:
            self.heat.destroy()
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
        curve = CurveFile(self.out / run_files.CURVE, self._load_columns,
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
        limits = self._limits = RunLimits(self.case.solver, self.comm, run.t)
        try:
            with Interrupts(self.comm) as interrupts:
                if not restart:
                    output()
                while run.t < t_end * (1 - 1e-12):
                    stop = limits.stop(run, interrupts, t_end)
                    if stop is not None:
                        status = stop
                        break
                    self._step(run, curve, bar, t_end)
                    limits.stepped(run.t)
                    if run.t >= run.next_output * (1 - 1e-9) or run.t >= t_end * (1 - 1e-12):
                        output()
                    elif limits.checkpoint_due():
                        self._checkpoint(run)
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
        if self.heat is not None:
            self.heat.apply(solver.rate, equivalent_shear_stress(solver.stress), dt)
        run.t += dt
        run.step += 1
        run.newton_total += its
        loads = self._loads = spec.loads(solver, self.setup)
        if self.heat is not None:
            loads = {**loads, "max_temperature_K": solver.global_max(self.heat.temperature)}
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
        columns = curve.columns()
        index_map = self.solver.V.dofmap.index_map
        return {
            "status": status,
            "stop_reason": self._limits.reason if self._limits is not None else None,
            "title": self.case.title,
            "specimen": self.case.specimen,
            "dofs": index_map.size_global * self.solver.V.dofmap.index_map_bs,
            "ranks": self.comm.size,
            "linear_solver": self.solver.linear_solver,
            **self._stats(run),
            "bands": band_summary(run.history),
            "specimen_results": (specimen_results(self.specimen, columns)
                                 if columns["step"].size >= 1 else {}),
            "band_history": run.history,
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
        checkpoint.write(self.out / CHECKPOINT, solver,
                         {"increment": solver.last_increment(), **self._heat_vectors()},
                         run_files.plain(scalars))
        self._limits.saved()

    def _restore(self) -> RunState:
        increment = fem.Function(self.solver.V)
        scalars = checkpoint.read(self.out / CHECKPOINT, self.solver,
                                  {"increment": increment, **self._heat_vectors()})
        if self.heat is not None:
            self.heat.restored()
        changed = run_files.case_changes(self._as_today(scalars.pop("case")), self.case.plain())
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

    def _as_today(self, stored: dict[str, Any]) -> dict[str, Any]:
        """A checkpoint's case as today's case model reads it, so that parameters added since
        it was written take their defaults instead of counting as changes; as stored if it no
        longer validates."""
        try:
            return type(self.case).model_validate(stored).plain()
        except (ValidationError, InputError):
            return stored

    @property
    def _load_columns(self) -> tuple[str, ...]:
        """curve.csv's columns after ``CurveRow``'s: the specimen's, and the largest
        temperature (K) when heat is on."""
        heat = ("max_temperature_K",) if self.heat is not None else ()
        return (*self.specimen.load_columns, *heat)

    def _heat_field(self) -> HeatField | None:
        """The temperature field of the ``[heat]`` section (None: isothermal), whose points'
        temperatures the material update then reads."""
        heat = self.case.heat
        if heat is None or not heat.on:
            return None
        field = HeatField(self.solver.q, self.params, heat.mode == "conducting",
                          tuple((self.setup.facets[name], t) for name, t in heat.held().items()),
                          self.setup.periodic)
        self.solver.temperature = field.temperature
        return field

    def _heat_vectors(self) -> dict[str, fem.Function]:
        """The conducting temperature field, for checkpoints."""
        field = self.heat.field if self.heat is not None else None
        return {"temperature": field} if field is not None else {}

    def _plot(self, curve: CurveFile, band_measures: dict[str, Any]) -> None:
        """``run.png`` of the final state (``plots.plot_specimen_run``)."""
        gathered = self.fields.gather(self.fields.averages())
        if not self.rank0:
            return
        columns = curve.columns()
        if columns["step"].size >= 2:
            plots.plot_specimen_run(self.out / "run.png", self.specimen, columns, gathered,
                                    band_measures["onset_nominal_strain"])
