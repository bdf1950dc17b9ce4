"""One evaluation of the field-level calibration: a coarse periodic FE cell (Lees–Edwards simple
shear, ``periodic_cell``) run serially on ``MPI.COMM_SELF`` for one set of parameter values,
scored against the MD stress curve and strain maps (``field_objective``).

``CellEvaluation`` is a picklable callable, so that worker processes run one cell each.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stz_fem.calibration.field_config import FieldFitConfig
from stz_fem.calibration.field_objective import (
    combine,
    map_u0,
    sample_on_grid,
    score_frame,
    stress_rms,
)
from stz_fem.material import MaterialParameters


@dataclass(frozen=True)
class MDData:
    """The MD reference: grid cell centres ``x``, ``y`` (m) and period (m), the fitted frames'
    strain maps [y, x] and nominal strains, the initial energy map (eV per atom) and the
    stress curve (engineering γ, Pa)."""

    fields_path: str
    x: np.ndarray
    y: np.ndarray
    period: tuple[float, float]
    frames: tuple[int, ...]
    maps: dict[int, np.ndarray]
    strains: dict[int, float]
    energy: np.ndarray
    curve_strain: np.ndarray
    curve_stress: np.ndarray


def read_md(config: FieldFitConfig, frames: tuple[int, ...] | None = None) -> MDData:
    """The MD data of a configuration (``frames``: default the fitted ones)."""
    from stz_fem.atomistic.grid_fields import read_grid_fields
    from stz_fem.atomistic.table import Table
    from stz_fem.errors import InputError
    from stz_fem.material_point import read_curve

    data = config.data
    grid = read_grid_fields(data.fields)
    strain_maps = grid.field(data.strain_key)
    nominal = grid.frames.get("nominal_shear_strain")
    if nominal is None:
        raise InputError(f"{data.fields}: no nominal_shear_strain per frame")
    frames = data.frames if frames is None else frames
    for f in frames:
        if f >= len(strain_maps):
            raise InputError(f"data.frames: frame {f}: {data.fields} has {len(strain_maps)}")
    energy = grid.field(data.energy_key)
    if data.energy_frame >= len(energy):
        raise InputError(f"data.energy_frame = {data.energy_frame}: {data.fields} has "
                         f"{len(energy)} frames")
    table = Table(str(data.curve), read_curve(data.curve))
    return MDData(
        fields_path=str(data.fields), x=grid.x_m, y=grid.y_m, period=grid.period_m,
        frames=tuple(frames), maps={f: np.asarray(strain_maps[f], float) for f in frames},
        strains={f: float(nominal[f]) for f in frames},
        energy=np.asarray(energy[data.energy_frame], float),
        curve_strain=np.asarray(table[data.strain_column], float),
        curve_stress=np.asarray(table[data.stress_column], float),
    )


def material_of(config: FieldFitConfig, md: MDData, values: np.ndarray) -> MaterialParameters:
    """The base material with the free parameters at ``values`` (SI, order of
    ``config.free``); with ``chi0`` free and a map, pe_u0 follows from the map's mean."""
    changes = {p.name: float(v) for p, v in zip(config.free, values, strict=True)}
    params = config.base.replace(**changes)
    if config.uses_map and "chi0" in changes:
        u0 = map_u0(md.energy, params.pe_beta, params.chi0, params.T_Z, params.T,
                    params.pe_vibration)
        params = params.replace(pe_u0=u0)
    return params


def case_data(config: FieldFitConfig, md: MDData, params: MaterialParameters,
              end_strain: float) -> dict[str, Any]:
    """The periodic-cell case of one evaluation (docs/cases.md), as ``read_case`` gives it."""
    cell = config.cell
    initial: dict[str, Any] = {"kind": "uniform"}
    if config.uses_map:
        initial = {"kind": "grid", "file": md.fields_path, "key": config.data.energy_key,
                   "frame": config.data.energy_frame, "energy_from_material": True}
    return {
        "specimen": "periodic_cell",
        "title": "field calibration cell",
        "geometry": {"length": float(md.period[0]), "height": float(md.period[1])},
        "mesh": {"size": cell.mesh_size, "degree": cell.degree},
        "material": params,
        "initial_chi": initial,
        "loading": {"shear_rate": cell.shear_rate, "end_strain": end_strain},
        "output": {"interval": cell.output_interval},
        "solver": {"chi_increment": cell.chi_increment,
                   "stress_increment": cell.stress_increment,
                   "plastic_increment": cell.plastic_increment,
                   "max_wall_time": cell.max_wall_time, "max_steps": cell.max_steps},
    }


def fe_maps(run: Path, md: MDData, key: str = "shear_strain") -> dict[int, tuple[float, Any]]:
    """Per MD frame: the FE nominal strain of the nearest field output and its ``key`` cell
    field on the MD grid [y, x]."""
    from stz_fem.material_point import read_curve
    from stz_fem.results import frames, read_cells

    listed = frames(run)
    curve = read_curve(run / "curve.csv")
    fe_strains = np.interp([t for t, _ in listed], curve["time_s"], curve["nominal_strain"],
                           left=0.0)
    out = {}
    for f in md.frames:
        k = int(np.argmin(np.abs(fe_strains - md.strains[f])))
        cells = read_cells(listed[k][1])
        out[f] = (float(fe_strains[k]),
                  sample_on_grid(cells["coords"], cells["volume"], cells[key], md.x, md.y))
    return out


def score_run(config: FieldFitConfig, md: MDData, run: Path) -> dict[str, Any]:
    """The objective parts of a finished run directory against ``md`` (``field_objective``)."""
    from stz_fem.material_point import read_curve

    curve = read_curve(run / "curve.csv")
    rms = stress_rms(curve["nominal_strain"], curve["mean_stress_Pa"], md.curve_strain,
                     md.curve_stress)
    maps = fe_maps(run, md)
    scores = [score_frame(f, maps[f][1], md.maps[f], md.y, md.period[1]) for f in md.frames]
    o = config.objective
    total, parts = combine(scores, rms, o.model_dump(exclude={"weights"}),
                           o.weights.model_dump())
    return {"objective": total, "parts": parts, "stress_rms_relative_to_peak": rms,
            "fe_peak_Pa": float(np.max(curve["mean_stress_Pa"])),
            "frames": [s.as_dict() | {"fe_nominal_strain": maps[s.frame][0]} for s in scores]}


@dataclass(frozen=True)
class CellEvaluation:
    """Run and score one cell for parameter values (SI, order of ``config.free``); never
    raises: a failed run (bad material, no convergence, over ``cell.max_wall_time``) gives
    ``objective`` nan and its reason in ``status``."""

    config: FieldFitConfig
    md: MDData
    keep: str | None = None  # a folder to keep the run in (default: a deleted scratch folder)

    def __call__(self, values: np.ndarray) -> dict[str, Any]:
        start = time.monotonic()
        record: dict[str, Any] = {
            "values": {p.name: float(v) for p, v in zip(self.config.free, values,
                                                        strict=True)},
            "objective": float("nan"), "status": "failed"}
        out = Path(self.keep) if self.keep else Path(tempfile.mkdtemp(prefix="stz_field_"))
        try:
            params = material_of(self.config, self.md, values)
            if params.pe_u0 is not None:
                record["pe_u0"] = params.pe_u0
            record |= self._run(params, out)
        except Exception as err:
            record["status"] = f"failed: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
            if type(err).__name__ not in ("InputError", "StepFailure", "RunError"):
                record["traceback"] = traceback.format_exc(limit=3)[-600:]
        finally:
            if not self.keep:
                shutil.rmtree(out, ignore_errors=True)
        record["wall_time_s"] = time.monotonic() - start
        return record

    def _run(self, params: MaterialParameters, out: Path) -> dict[str, Any]:
        from mpi4py import MPI

        import stz_fem.fem  # noqa: F401  (loads PETSc before dolfinx)
        from stz_fem.simulation import Simulation

        end = max(self.md.strains.values())
        with Simulation(case_data(self.config, self.md, params, end), out,
                        comm=MPI.COMM_SELF) as sim:
            summary = sim.run(progress=False)
        if summary["status"] != "completed":
            return {"status": f"failed: {summary['status']} ({summary.get('stop_reason')})",
                    "steps": summary["steps"]}
        return {"status": "completed", "steps": summary["steps"]} | score_run(
            self.config, self.md, out)
