"""``stz-fem calibrate-fields``: fit material parameters and the PE→χ map to MD fields by
running finite-element cells (docs/model.md §5, field objective).

The search (``bayes.minimize``) runs on the free parameters' search coordinates (the value, or
ln(value) with ``log = true``) and minimizes ln J of ``field_objective`` (J spans decades);
every evaluation is one serial FE cell (``field_cell.CellEvaluation``) in one of ``workers``
spawned processes. Writes, in the output folder:

- ``material.toml``: the best evaluated point as a material file (with its PE→χ map and ℓ_χ),
  loadable by cases (``[material] file = ...``, ``initial_chi.energy_from_material = true``);
- ``report.json``: every evaluation (values, objective parts, per-frame band measures, status,
  wall time), the best point, the spread of the best few, the GP length scales, the cost;
  rewritten after every batch, so an interrupted search leaves its history;
- ``convergence.png``: objective per evaluation, the running best and its parts;
- ``progress.log``: one line per evaluation (also printed).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from stz_fem import material
from stz_fem.calibration import bayes
from stz_fem.calibration.field_cell import CellEvaluation, MDData, material_of, read_md
from stz_fem.calibration.field_config import FieldFitConfig, load_field_config
from stz_fem.calibration.field_objective import PARTS
from stz_fem.material.material_files import as_mapping

TOP = 5
"""Best evaluations whose parameter spread report.json gives (``top``)."""


def search_box(config: FieldFitConfig) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper search coordinates of the free parameters (ln of log ones)."""
    lo = [math.log(p.lower) if p.log else p.lower for p in config.free]
    hi = [math.log(p.upper) if p.log else p.upper for p in config.free]
    return np.array(lo), np.array(hi)


def to_values(config: FieldFitConfig, point: np.ndarray) -> np.ndarray:
    """Parameter values (SI) of search coordinates."""
    return np.array([math.exp(c) if p.log else c for p, c in zip(config.free, point,
                                                                  strict=True)])


def _short(record: dict[str, Any]) -> str:
    values = " ".join(f"{k}={v:.4g}" for k, v in record["values"].items())
    if record["status"] != "completed":
        return f"{record['status'][:90]} | {values}"
    parts = " ".join(f"{k} {record['parts'][k]:.3g}" for k in PARTS)
    return f"J = {record['objective']:.4g} ({parts}) | {values}"


class _Evaluator:
    """The batch evaluator of the search: runs cells in the pool, keeps and logs records."""

    def __init__(self, config: FieldFitConfig, md: MDData, pool, log: Callable[[str], None],
                 budget: int) -> None:
        self.config, self.pool, self.log, self.budget = config, pool, log, budget
        self.cell = CellEvaluation(config, md)
        self.records: list[dict[str, Any]] = []
        self.start = time.monotonic()

    def __call__(self, points: list[np.ndarray]) -> list[float]:
        values = [to_values(self.config, p) for p in points]
        runs = self.pool.map(self.cell, values) if self.pool else map(self.cell, values)
        out = []
        for record in runs:
            self.records.append(record)
            finite = [r["objective"] for r in self.records if np.isfinite(r["objective"])]
            best = min(finite) if finite else float("nan")
            minutes = (time.monotonic() - self.start) / 60
            self.log(f"[{len(self.records):3d}/{self.budget} {minutes:5.1f} min, "
                     f"{record['wall_time_s']:4.0f} s] {_short(record)}; best J {best:.4g}")
            j = record["objective"]
            out.append(math.log(j) if np.isfinite(j) and j > 0 else float("nan"))
        return out


def _report(config: FieldFitConfig, config_path: Path, out: Path, search: bayes.Search,
            records: list[dict[str, Any]], md: MDData, wall: float) -> dict[str, Any]:
    for record, phase in zip(records, search.phases, strict=False):
        record["phase"] = phase
    best = search.best
    ok = [k for k in np.argsort([r["objective"] if np.isfinite(r["objective"]) else np.inf
                                 for r in records]) if np.isfinite(records[k]["objective"])]
    top = ok[:TOP]
    names = [p.name for p in config.free]
    spread = {n: {"mean": float(np.mean([records[k]["values"][n] for k in top])),
                  "std": float(np.std([records[k]["values"][n] for k in top]))}
              for n in names} if top else {}
    scales = search.length_scales
    report = {
        "config": str(config_path),
        "objective": "J = w_s (e_s/S_s)² + mean over fitted frames of w_c (e_c/S_c)² + "
                     "w_w (e_w/S_w)² + w_r ((1 − r)/S_r)² (docs/model.md §5); the search "
                     "minimizes ln J",
        "scales": config.objective.model_dump(exclude={"weights"}),
        "weights": config.objective.weights.model_dump(),
        "fitted_frames": list(md.frames),
        "fitted_frame_strains": [md.strains[f] for f in md.frames],
        "free": {p.name: {"bounds": list(p.bounds), "log": p.log} for p in config.free},
        "fixed": {k: v for k, v in as_mapping(config.base).items()
                  if k not in names and isinstance(v, int | float) and math.isfinite(v)},
        "evaluations": len(records),
        "failed": sum(1 for r in records if r["status"] != "completed"),
        "design": config.search.design,
        "stopped": search.stopped or "running",
        "wall_time_s": wall,
        "cell_wall_time_s": {"mean": float(np.mean([r["wall_time_s"] for r in records])),
                             "max": float(np.max([r["wall_time_s"] for r in records]))}
        if records else {},
        "gp_length_scales": None if scales is None else {
            n: {"unit_box": float(s), "search_units": float(s * (hi - lo)),
                "coordinate": "ln(value)" if p.log else "value"}
            for n, s, p, lo, hi in zip(names, scales, config.free, *search_box(config),
                                       strict=True)},
        "best": None if best < 0 else {"index": best} | records[best],
        "top": {"indices": [int(k) for k in top], "spread": spread,
                "objectives": [records[k]["objective"] for k in top]},
        "material_file": str(out / "material.toml"),
        "records": records,
    }
    (out / "report.json").write_text(json.dumps(report, indent=1, default=float))
    return report


def plot_convergence(records: list[dict[str, Any]], path: Path) -> None:
    """Objective of every evaluation (design and EI points; failed ones on top), the running
    best, and the parts of the running best."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    j = np.array([r["objective"] for r in records], dtype=float)
    n = np.arange(1, len(j) + 1)
    fig, (a, b) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
    design = np.array([r.get("phase") == "design" for r in records])
    ok = np.isfinite(j)
    a.semilogy(n[ok & design], j[ok & design], "o", ms=4, color="0.6", label="Sobol design")
    a.semilogy(n[ok & ~design], j[ok & ~design], "o", ms=4, color="C0", label="EI batches")
    if (~ok).any() and ok.any():
        a.semilogy(n[~ok], np.full((~ok).sum(), j[ok].max()), "x", color="C3",
                   label="failed (drawn at max)")
    best = np.minimum.accumulate(np.where(ok, j, np.inf))
    a.semilogy(n, np.where(np.isfinite(best), best, np.nan), "-", color="k", label="best so far")
    a.axhline(len(PARTS), color="C2", ls=":", label="all parts at their target (J = 4)")
    a.set_ylabel("objective J")
    a.legend(fontsize=8)
    index = [int(np.argmin(np.where(ok[: k + 1], j[: k + 1], np.inf))) if ok[: k + 1].any()
             else -1 for k in range(len(j))]
    for part in PARTS:
        b.semilogy(n, [records[i]["parts"][part] if i >= 0 else np.nan for i in index],
                   label=part)
    b.axhline(1.0, color="0.5", ls=":")
    b.set_ylabel("parts of the best (1: target)")
    b.set_xlabel("evaluation")
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def calibrate_fields(config_path: str | Path, out_dir: str | Path,
                     log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the field-level calibration of ``config_path`` into ``out_dir`` (module docstring)
    and return the report."""
    config_path = Path(config_path)
    config = load_field_config(config_path)
    md = read_md(config)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "progress.log").open("w") as logfile:
        def both(line: str) -> None:
            log(line)
            logfile.write(line + "\n")
            logfile.flush()

        return _search(config, config_path, md, out, both)


def _search(config: FieldFitConfig, config_path: Path, md: MDData, out: Path,
            log: Callable[[str], None]) -> dict[str, Any]:
    """The search of ``calibrate_fields``, logging to ``log``; writes the outputs."""
    s = config.search
    lower, upper = search_box(config)
    log(f"calibrate-fields {config_path}: {len(config.free)} free "
        f"({', '.join(p.name for p in config.free)}), frames {list(md.frames)} fitted, "
        f"{s.design} Sobol + EI batches of {s.workers} to {s.evaluations} cells "
        f"(h = {config.cell.mesh_size:g} m) in {s.workers} processes")
    start = time.monotonic()
    pool = None
    if s.workers > 1:
        pool = ProcessPoolExecutor(max_workers=s.workers,
                                   mp_context=multiprocessing.get_context("spawn"))
    evaluator = _Evaluator(config, md, pool, log, s.evaluations)
    try:
        def on_batch(search: bayes.Search) -> None:
            _report(config, config_path, out, search, evaluator.records, md,
                    time.monotonic() - start)

        search = bayes.minimize(evaluator, lower, upper, design=s.design, budget=s.evaluations,
                                batch=s.workers, seed=s.seed, candidates=s.candidates, xi=s.xi,
                                max_wall_time=s.max_wall_time, on_batch=on_batch)
    finally:
        if pool is not None:
            pool.shutdown()
    records = evaluator.records
    if search.best < 0:
        from stz_fem.errors import RunError
        raise RunError(f"calibrate-fields: all {len(records)} cells failed; first: "
                       f"{records[0]['status'] if records else 'none'}")
    best_values = np.array([records[search.best]["values"][p.name] for p in config.free])
    material.save(material_of(config, md, best_values), out / "material.toml")
    report = _report(config, config_path, out, search, records, md, time.monotonic() - start)
    plot_convergence(records, out / "convergence.png")
    log(f"done: {len(records)} cells ({report['failed']} failed) in "
        f"{report['wall_time_s'] / 60:.1f} min, stopped at {report['stopped']}; best "
        f"#{search.best + 1}: {_short(records[search.best])}")
    return report
