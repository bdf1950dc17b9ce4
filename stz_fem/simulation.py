"""Run a specimen case: build, step adaptively, write ParaView fields, curve and summary.

Outputs in the run directory: ``fields.pvd`` (VTKFile: displacement and DG0 cell averages),
``curve.csv`` (one row per step, flushed as it goes), ``summary.json`` (rewritten at every field
output with ``status`` "running", then "completed" or "failed": a run that stops early leaves
valid files up to its last output) and ``case.toml`` (the validated case).
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import io
from mpi4py import MPI

from stz_fem import bands, initial_chi, plots
from stz_fem.atomistic.energy_chi import chi_from_energy
from stz_fem.cases import validate
from stz_fem.errors import InputError
from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.fields import CellFields
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import from_mapping
from stz_fem.material.mandel import equivalent_shear_stress
from stz_fem.material_point import read_curve
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
        )
        self.diffusion = (
            ChiDiffusion(self.solver.q, self.params.c0, self.params.l_chi, self.setup.periodic)
            if self.params.l_chi > 0.0 else None
        )
        self.fields = CellFields(self.solver)
        self.rank0 = comm.rank == 0

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Free PETSc objects collectively (see ``MechanicsSolver.destroy``)."""
        self.solver.destroy()
        if self.diffusion is not None:
            self.diffusion.destroy()

    # -- bookkeeping -------------------------------------------------------------------

    def _band_state(self, full: bool) -> dict[str, Any] | None:
        gathered = self.fields.gather(self.fields.averages())
        result = None
        if self.rank0:
            if full:
                result = bands.band_measures(
                    gathered["coords"], gathered["volume"], gathered["D_per_s"],
                    gathered["dissipation"], gathered["plastic_strain"], gathered["chi_K"],
                    self.specimen.loading_axis, period=self.setup.period,
                )
            else:
                result = {"localization_index": bands.localization_index(
                    gathered["D_per_s"], gathered["dissipation"], gathered["volume"])}
        return self.comm.bcast(result, root=0)

    def _summary(self, status: str, history: list[dict], stats: dict) -> dict:
        loads = [h["nominal_strain"] for h in history]
        ls = [h["localization_index"] for h in history]
        last = history[-1] if history else {}
        onset = bands.localization_onset(loads, ls) if history else None
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
                "orientation_deg": last.get("orientation_deg"),
                "width_m": last.get("width_m"),
                "width_chi_m": last.get("width_chi_m"),
                "centre_m": last.get("centre_m"),
                "count": None,
                "spacing_m": None,
            },
            "band_history": history,
            "loading_axis": self.specimen.loading_axis,
            "period_m": self.setup.period,
            "case": self.case,
        }

    # -- run ---------------------------------------------------------------------------

    def run(self, progress: bool = True) -> dict:
        """Step to the end of the loading; returns the summary (also written to disk)."""
        self.out.mkdir(parents=True, exist_ok=True)
        solver, spec, limits = self.solver, self.specimen, self.case["solver"]
        stress_scale = self.params.chi_stress_scale
        t_end = spec.end_time
        output_dt = self.case["output"]["interval"] / spec.strain_rate
        dt = limits["stress_increment"] * stress_scale / (self.params.G * spec.strain_rate)
        t, step, newton_total, rejected = 0.0, 0, 0, 0
        next_output = 0.0
        history: list[dict] = []
        wall0, cpu0 = time.perf_counter(), time.process_time()
        sbar_prev = np.zeros(solver.q.size)

        vtk = io.VTKFile(self.comm, str(self.out / "fields.pvd"), "w") if (
            self.case["output"]["fields"]) else None
        curve_file = open(self.out / "curve.csv", "w", newline="") if self.rank0 else None
        writer = csv.writer(curve_file) if curve_file else None
        columns = ["step", "time_s", "dt_s", "nominal_strain", "mean_stress_Pa",
                   "localization_index", "newton_iterations", "max_D_per_s", "max_chi_K"]
        if writer:
            writer.writerow(columns)
        bar = _Progress(self.rank0 and progress, t_end)

        def stats() -> dict:
            return {
                "steps": step, "newton_iterations": newton_total, "rejected_steps": rejected,
                "wall_time_s": time.perf_counter() - wall0,
                "cpu_time_s": self.comm.allreduce(time.process_time() - cpu0, op=MPI.SUM),
                "time_s": t, "nominal_strain": spec.nominal_strain(t),
            }

        def output(status: str = "running") -> None:
            nonlocal next_output
            measures = self._band_state(full=True)
            history.append({"time_s": t, "nominal_strain": spec.nominal_strain(t), **measures})
            if vtk is not None:
                funcs = self.fields.update_functions(self.fields.averages())
                vtk.write_function([solver.u, *funcs], t)
            self._write_summary(status, history, stats())
            next_output = t + output_dt

        status = "failed"
        try:
            output()
            while t < t_end * (1 - 1e-12) and step < limits["max_steps"]:
                dt = min(dt, t_end - t, max(next_output - t, 1e-12 * t_end))
                dt, its, ratio, tries = self._advance(t, dt, sbar_prev, limits, stress_scale)
                rejected += tries
                solver.commit()
                if self.diffusion is not None:
                    self.diffusion.apply(solver.state.chi, solver.rate, dt)
                sbar_prev = equivalent_shear_stress(solver.stress)
                t += dt
                step += 1
                newton_total += its
                loads = spec.loads(solver, self.setup)
                lindex = self._band_state(full=False)["localization_index"]
                row = [step, t, dt, spec.nominal_strain(t), loads["mean_stress_Pa"], lindex,
                       its, solver.global_max(solver.rate), solver.global_max(solver.state.chi)]
                if writer:
                    writer.writerow([f"{v:.10g}" if isinstance(v, float) else v for v in row])
                    curve_file.flush()
                bar.update(t, step, its, spec.nominal_strain(t), lindex)
                if t >= next_output * (1 - 1e-9) or t >= t_end * (1 - 1e-12):
                    output()
                grow = min(1.5, 0.8 / max(ratio, 1e-3))
                if its > limits["newton_target"]:
                    grow = min(grow, 0.7)
                dt *= grow
            status = "completed"
        finally:
            bar.close()
            self._write_summary(status, history, stats())
            if vtk is not None:
                vtk.close()
            if curve_file:
                curve_file.close()
        self._plot()
        return self._summary(status, history, stats())

    def _plot(self) -> None:
        """``run.png``: load curve, localization index and maps of the final state (2-D)."""
        gathered = self.fields.gather(self.fields.averages())
        if not self.rank0 or gathered["coords"].shape[1] != 2:
            return
        curve = read_curve(self.out / "curve.csv")
        if curve["step"].size < 2:
            return
        plots.plot_run(
            curve, gathered, self.out / "run.png", self.specimen.strain_label,
            self.specimen.stress_label.removesuffix(" (Pa)"),
            self.case["title"] or self.case["specimen"],
        )

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
