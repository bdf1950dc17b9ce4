"""``stz-fem calibrate``: fit a configuration, write material.toml, report.json and plots."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from stz_fem import material
from stz_fem.calibration import plots
from stz_fem.calibration.config import load_config
from stz_fem.calibration.curves import read_curve
from stz_fem.calibration.fit import fit_curves
from stz_fem.calibration.rate_analyses import rate_analyses
from stz_fem.calibration.statistics import (
    overall_rms_relative_to_peak,
    parameter_uncertainty,
    r_squared,
    rms_relative_to_peak,
)


def _finite(x: float) -> float | None:
    """JSON has no NaN/inf: those become null."""
    return float(x) if math.isfinite(x) else None


def calibrate(config_path: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Fit the homogeneous model as ``config_path`` says; write results to ``out_dir``.

    Writes ``material.toml`` (loadable by ``stz_fem.material.load`` and ``stz-fem point``),
    ``report.json`` (the returned report) and ``fit.png``, ``residuals.png``,
    ``correlation.png``.

    Returns:
        The report: ``rms_relative_to_peak`` and ``r2`` over all points, ``parameters``
        (name → value, standard_error in SI units, initial, bounds, log), ``correlation``,
        ``warnings``, ``curves`` (per curve: path, loading, rate, temperature, points, peak,
        rms_relative_to_peak, r2), ``analyses`` (Johnson–Samwer and Eyring fits of the data,
        when ``[analyses]`` asks for them) and optimizer details.

    Raises:
        InputError: a bad configuration or data file (one line naming the key).
    """
    config = load_config(config_path)
    curves = [read_curve(spec) for spec in config.curves]
    result = fit_curves(config, curves)
    uncertainty = parameter_uncertainty(result)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fitted = result.params
    temperatures = {c.spec.temperature for c in curves}
    if len(temperatures) == 1:
        # One test temperature: the material file reproduces the fitted runs as written.
        fitted = fitted.replace(T=temperatures.pop())
    material.save(fitted, out / "material.toml")

    names = [p.name for p in result.free]
    data = [c.stress for c in curves]
    report: dict[str, Any] = {
        "config": str(Path(config_path)),
        "rms_relative_to_peak": overall_rms_relative_to_peak(result.models, curves),
        "r2": r_squared(np.concatenate(result.models), np.concatenate(data)),
        "parameters": {
            p.name: {
                "value": float(v),
                "standard_error": _finite(se),
                "relative_standard_error": _finite(se / abs(v)) if v else None,
                "initial": p.initial,
                "bounds": [p.lower, p.upper],
                "log": p.log,
                "at_bound": bool(b),
            }
            for p, v, se, b in zip(result.free, result.values, uncertainty.standard_errors,
                                   result.at_bound, strict=True)
        },
        "correlation": {
            "names": names,
            "matrix": [[_finite(x) for x in row] for row in uncertainty.correlation],
        },
        "condition_number_JTJ": _finite(uncertainty.condition),
        "warnings": uncertainty.warnings,
        "curves": [
            {
                "path": str(c.spec.path),
                "loading": c.spec.loading,
                "rate_per_s": c.spec.rate,
                "temperature_K": c.spec.temperature,
                "strain_window": [float(c.strain.min()), float(c.strain.max())],
                "weight": c.spec.weight,
                "points": int(c.strain.size),
                "peak_Pa": c.peak,
                "model_peak_Pa": float(np.max(np.abs(m))),
                "rms_relative_to_peak": rms_relative_to_peak(m, c),
                "r2": r_squared(m, c.stress),
            }
            for c, m in zip(curves, result.models, strict=True)
        ],
        "analyses": rate_analyses(curves, result.params, config.analyses),
        "optimizer": {"evaluations": result.evaluations, "message": result.message},
        "material_file": str(out / "material.toml"),
    }
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    plots.plot_fits(curves, result.models, out / "fit.png")
    plots.plot_residuals(curves, result.models, out / "residuals.png")
    plots.plot_correlation(names, uncertainty.correlation, out / "correlation.png")
    return report
