"""``stz-fem calibrate``: fit a configuration, write material.toml, report.json and plots."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from stz_fem import material
from stz_fem.calibration.config import FitConfig, load_config
from stz_fem.calibration.curves import DataCurve, read_curve
from stz_fem.calibration.ensembles import replica_groups, replica_mean
from stz_fem.calibration.fit import (
    FitResult,
    Objective,
    curve_material,
    fit_curves,
    initial_energy,
    parallel_map,
    refit,
)
from stz_fem.calibration.loading_slope import check_window, loading_slopes
from stz_fem.calibration.plots import (
    plot_correlation,
    plot_fits,
    plot_loading_slopes,
    plot_pressure,
    plot_residuals,
)
from stz_fem.calibration.pressure_analysis import pressure_analysis, read_pressure_curve
from stz_fem.calibration.rate_analyses import rate_analyses
from stz_fem.calibration.statistics import (
    RELATIVE_ERROR_LIMIT,
    Uncertainty,
    overall_rms_relative_to_peak,
    parameter_uncertainty,
    r_squared,
    rms_relative_to_peak,
)
from stz_fem.material import MaterialParameters


def _finite(x: float) -> float | None:
    """JSON has no NaN/inf: those become null."""
    return float(x) if math.isfinite(x) else None


def _flow(strain: np.ndarray, stress: np.ndarray, window: float) -> float:
    """Mean |stress| (Pa) over the last ``window`` of strain."""
    return float(np.mean(np.abs(stress[strain >= strain.max() - window])))


def _curve_entry(curve: DataCurve, model: np.ndarray, window: float) -> dict[str, Any]:
    """What report.json says about one curve (fitted or held out) and its model."""
    data_flow = _flow(curve.strain, curve.stress, window)
    model_peak = float(np.max(np.abs(model)))
    return {
        "path": str(curve.spec.path),
        "glass": curve.spec.glass,
        "loading": curve.spec.loading,
        "rate_per_s": curve.spec.rate,
        "temperature_K": curve.spec.temperature,
        "pe_per_atom_eV": initial_energy(curve),
        "strain_window": [float(curve.strain.min()), float(curve.strain.max())],
        "weight": curve.spec.weight,
        "points": int(curve.strain.size),
        "peak_Pa": curve.peak,
        "model_peak_Pa": model_peak,
        "peak_error_relative": (model_peak - curve.peak) / curve.peak,
        "flow_stress_Pa": data_flow,
        "model_flow_stress_Pa": _flow(curve.strain, model, window),
        "flow_error_relative": (_flow(curve.strain, model, window) - data_flow) / data_flow,
        "rms_relative_to_peak": rms_relative_to_peak(model, curve),
        "r2": r_squared(model, curve.stress),
    }


def bootstrap(config: FitConfig, curves: list[DataCurve], result: FitResult) -> np.ndarray:
    """Values (SI) of ``[uncertainty] bootstrap`` refits, shape (B, n): each a local fit from
    the optimum to the training curves resampled with replacement (seeded)."""
    count = config.uncertainty.bootstrap
    rng = np.random.default_rng(config.uncertainty.seed)
    weights = [np.bincount(rng.integers(0, len(curves), len(curves)), minlength=len(curves))
               for _ in range(count)]
    refits = parallel_map(_Refit(config, curves, result.values), weights, config.fit.workers)
    return np.array([m.values for m in refits]).reshape(count, len(result.free))


class _Refit:
    """A bootstrap refit with given curve multiplicities (picklable task)."""

    def __init__(self, config: FitConfig, curves: list[DataCurve], start: np.ndarray) -> None:
        self.config, self.curves, self.start = config, curves, start

    def __call__(self, weights: np.ndarray):
        return refit(self.config, self.curves, self.start, [float(w) for w in weights])


def _bands(objective: Objective, ensemble: np.ndarray, curves: list[DataCurve]
           ) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """5–95 % envelope of the ensemble's model stress per curve (None: no ensemble)."""
    if ensemble.shape[0] < 2:
        return None
    free = objective.free
    runs = [objective.models(objective.base.replace(**{p.name: float(v) for p, v in zip(
        free, values, strict=True)}), curves) for values in ensemble]
    return [(np.percentile(np.array(per), 5, axis=0), np.percentile(np.array(per), 95, axis=0))
            for per in zip(*runs, strict=True)]


def material_file_params(params: MaterialParameters, curves: list[DataCurve]
                         ) -> MaterialParameters:
    """The fitted material as material.toml stores it: at the fitted temperature when there is
    one, and with χ₀ of the first fitted glass from the PE→χ map when there is one."""
    temperatures = {c.spec.temperature for c in curves}
    if len(temperatures) == 1:
        # One test temperature: the material file reproduces the fitted runs as written.
        params = params.replace(T=temperatures.pop())
    if params.pe_beta is not None:
        with_energy = [c for c in curves if initial_energy(c) is not None]
        if with_energy:
            params = params.replace(chi0=curve_material(params, with_energy[0]).chi0)
    return params


def information_criteria(models: list[np.ndarray], curves: list[DataCurve], free: int
                         ) -> dict[str, float]:
    """AIC = m·ln(RSS/m) + 2k and BIC = m·ln(RSS/m) + k·ln m of the relative stress residuals
    (m points, k free parameters; Gaussian errors): lower is better, for comparing model
    terms on the same training curves (docs/model.md §2.3)."""
    rel = np.concatenate([(m - c.stress) / c.peak for m, c in zip(models, curves, strict=True)])
    points = rel.size
    misfit = points * math.log(max(float(np.mean(rel**2)), 1e-300))
    return {"points": points, "free": free, "aic": misfit + 2.0 * free,
            "bic": misfit + free * math.log(points)}


def calibrate(config_path: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Fit the homogeneous model as ``config_path`` says; write results to ``out_dir``.

    Writes ``material.toml`` (loadable by ``stz_fem.material.load`` and ``stz-fem point``),
    ``report.json`` (the returned report) and ``fit.png``, ``residuals.png``,
    ``correlation.png`` and, with ``[[validate]]`` curves, ``validation.png`` (with replicas
    among them also ``validation_ensembles.png``; with the pressure analysis ``pressure.png``).

    Returns:
        The report: ``rms_relative_to_peak`` and ``r2`` over all fitted points, ``parameters``
        (name → value, standard_error in SI units, initial, bounds, log, bootstrap spread and
        whether identified), ``correlation``, ``warnings``, ``curves`` (per curve: path,
        loading, rate, temperature, points, peak, rms_relative_to_peak, r2, peak and flow
        errors), ``validation`` (the same for every held-out curve), ``validation_conditions``
        (one entry per held-out condition: a lone curve's, or the mean of its replicas with
        their scatter; ``stz_fem.calibration.ensembles``), ``minima`` (the best
        distinct minima of a global fit), ``analyses`` (Johnson–Samwer and Eyring fits of the
        data, and α, β of the ``[[pressure_curves]]``, when ``[analyses]`` asks for them) and
        optimizer details.

    Raises:
        InputError: a bad configuration or data file (one line naming the key).
    """
    config = load_config(config_path)
    curves = [read_curve(spec) for spec in config.curves]
    held_out = [read_curve(spec) for spec in config.validate_curves]
    if config.analyses.loading_slope_strain is not None:
        check_window(curves + held_out, config.analyses.loading_slope_strain)
    pressure_curves = ([read_pressure_curve(spec) for spec in config.pressure_curves]
                       if config.analyses.pressure else [])
    started = time.perf_counter()
    result = fit_curves(config, curves)
    fit_seconds = time.perf_counter() - started
    uncertainty = parameter_uncertainty(result)
    ensemble = bootstrap(config, curves, result)
    objective = Objective(config, curves)
    validation_models = objective.models(result.params, held_out)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    material.save(material_file_params(result.params, curves), out / "material.toml")

    report: dict[str, Any] = {
        "config": str(Path(config_path)),
        "rms_relative_to_peak": overall_rms_relative_to_peak(result.models, curves),
        "r2": r_squared(np.concatenate(result.models), np.concatenate([c.stress for c in curves])),
        **_parameter_report(config, result, uncertainty, ensemble),
        "information_criteria": information_criteria(result.models, curves, len(result.free)),
        **_scores(config, (curves, result.models), (held_out, validation_models)),
        "minima": _minima(config, result),
        "bootstrap": {
            "resamples": int(ensemble.shape[0]), "seed": config.uncertainty.seed,
            "values": [_named(result, row) for row in ensemble],
        },
        "analyses": _analyses(config, (curves, result.models), (held_out, validation_models),
                              pressure_curves, result.params),
        "optimizer": {"evaluations": result.evaluations, "message": result.message,
                      "starts": config.fit.starts, "design": config.fit.design,
                      "seed": config.fit.seed, "workers": config.fit.workers,
                      "fit_wall_s": fit_seconds},
        "material_file": str(out / "material.toml"),
    }
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    _write_figures(out, report, objective, ensemble, (curves, result.models),
                   (held_out, validation_models))
    plot_correlation([p.name for p in result.free], uncertainty.correlation,
                     out / "correlation.png")
    if pressure_curves:
        plot_pressure(pressure_curves, report["analyses"]["pressure"], result.params,
                      out / "pressure.png")
    return report


def _analyses(config: FitConfig, fitted: tuple[list[DataCurve], list[np.ndarray]],
              held_out: tuple[list[DataCurve], list[np.ndarray]], pressure_curves: list,
              params: MaterialParameters) -> dict[str, Any]:
    """The data analyses ``[analyses]`` asks for: Johnson–Samwer and Eyring fits of the
    training curves, α, β of the ``[[pressure_curves]]``, and the loading slopes of data and
    model for every training and held-out condition."""
    analyses = rate_analyses(fitted[0], params, config.analyses)
    strain_max = config.analyses.loading_slope_strain
    if strain_max is not None:
        analyses["loading_slope"] = (loading_slopes(*fitted, strain_max, "train")
                                     + loading_slopes(*held_out, strain_max, "validate"))
    if pressure_curves:
        analyses["pressure"] = pressure_analysis(pressure_curves, params,
                                                 config.analyses.flow_window,
                                                 config.analyses.dilatancy_from)
    return analyses


def _scores(config: FitConfig, fitted: tuple[list[DataCurve], list[np.ndarray]],
            held_out: tuple[list[DataCurve], list[np.ndarray]]) -> dict[str, Any]:
    """report.json's ``curves`` and ``validation`` entries and the worst held-out RMS."""
    window = config.analyses.flow_window
    validation = [_curve_entry(c, m, window) for c, m in zip(*held_out, strict=True)]
    conditions = _condition_entries(held_out, validation, window)
    return {
        "curves": [_curve_entry(c, m, window) for c, m in zip(*fitted, strict=True)],
        "validation": validation,
        "validation_max_rms_relative_to_peak": (
            max(v["rms_relative_to_peak"] for v in validation) if validation else None),
        "validation_conditions": conditions,
        "validation_max_rms_relative_to_peak_by_condition": (
            max(v["rms_relative_to_peak"] for v in conditions) if conditions else None),
    }


def _condition_entries(held_out: tuple[list[DataCurve], list[np.ndarray]],
                       entries: list[dict[str, Any]], window: float) -> list[dict[str, Any]]:
    """One entry per held-out condition: a lone curve's own entry, or for replicas (same
    glass, loading, rate, T) the entry of their ensemble mean with the replicas' scatter."""
    groups = replica_groups(held_out[0])
    grouped = {k for g in groups for k in g}
    singles = [{**e, "replicas": 1} for k, e in enumerate(entries) if k not in grouped]
    ensembles = []
    for members in groups:
        ens = replica_mean(*held_out, members)
        ensembles.append({
            **_curve_entry(ens.curve, ens.model, window),
            "path": None,
            "pe_per_atom_eV": None,
            "replicas": len(members),
            "members": [entries[k]["path"] for k in members],
            "member_rms_relative_to_peak": [entries[k]["rms_relative_to_peak"] for k in members],
            "replica_scatter_relative_to_peak": ens.scatter,
            "mean_standard_error_relative_to_peak": ens.standard_error,
        })
    return singles + ensembles


def _named(result: FitResult, values: np.ndarray) -> dict[str, float]:
    """Free parameter name → value (SI)."""
    return {p.name: float(v) for p, v in zip(result.free, values, strict=True)}


def _minima(config: FitConfig, result: FitResult) -> list[dict[str, Any]]:
    """The best ``[fit] minima`` distinct minima of a global fit: cost, values and start."""
    return [{"cost": m.cost, "values": _named(result, m.values), "start": _named(result, m.start),
             "evaluations": m.evaluations} for m in result.minima[: config.fit.minima]]


def _parameter_report(config: FitConfig, result: FitResult, uncertainty: Uncertainty,
                      ensemble: np.ndarray) -> dict[str, Any]:
    """report.json's ``parameters`` (value, errors, bootstrap spread, identified flag),
    ``correlation``, ``condition_number_JTJ`` and ``warnings`` of a fit and its bootstrap."""
    spread = (np.std(ensemble, axis=0, ddof=1) / np.abs(result.values)
              if ensemble.shape[0] > 1 else np.full(len(result.free), np.nan))
    limit = config.uncertainty.identified_spread
    warnings = list(uncertainty.warnings)
    for p, s in zip(result.free, spread, strict=True):
        if math.isfinite(s) and s > limit:
            warnings.append(f"{p.name}: bootstrap spread {s:.3g} > {limit:g} of its value: not "
                            "identified by these curves (fix it in the config)")
    parameters = {
        p.name: {
            "value": float(v),
            "standard_error": _finite(se),
            "relative_standard_error": _finite(se / abs(v)) if v else None,
            "bootstrap_relative_spread": _finite(sp),
            "identified": bool(not b and se <= RELATIVE_ERROR_LIMIT * abs(v)
                               and (not math.isfinite(sp) or sp <= limit)),
            "initial": p.initial,
            "bounds": [p.lower, p.upper],
            "log": p.log,
            "at_bound": bool(b),
        }
        for p, v, se, b, sp in zip(result.free, result.values, uncertainty.standard_errors,
                                   result.at_bound, spread, strict=True)
    }
    return {
        "parameters": parameters,
        "correlation": {"names": [p.name for p in result.free],
                        "matrix": [[_finite(x) for x in row] for row in uncertainty.correlation]},
        "condition_number_JTJ": _finite(uncertainty.condition),
        "warnings": warnings,
    }


def _write_figures(out: Path, report: dict[str, Any], objective: Objective, ensemble: np.ndarray,
                   fitted: tuple[list[DataCurve], list[np.ndarray]],
                   held_out: tuple[list[DataCurve], list[np.ndarray]]) -> None:
    """fit.png and residuals.png (training curves), validation.png when there are held-out
    curves (bands from the bootstrap ensemble), validation_ensembles.png when they have
    replicas, and loading_slope.png when the analysis ran."""
    curves, models = fitted
    plot_fits(curves, models, out / "fit.png", _bands(objective, ensemble, curves),
              scores=[e["rms_relative_to_peak"] for e in report["curves"]])
    if held_out[0]:
        plot_fits(*held_out, out / "validation.png", _bands(objective, ensemble, held_out[0]),
                  label="STZ prediction",
                  scores=[e["rms_relative_to_peak"] for e in report["validation"]])
    groups = replica_groups(held_out[0])
    if groups:
        means = [replica_mean(*held_out, members) for members in groups]
        plot_fits([e.curve for e in means], [e.model for e in means],
                  out / "validation_ensembles.png",
                  [(e.replicas.min(axis=0), e.replicas.max(axis=0)) for e in means],
                  label="STZ prediction (mean)", band_label="replica range",
                  scores=[e["rms_relative_to_peak"] for e in report["validation_conditions"]
                          if e["replicas"] > 1])
    plot_residuals(curves, models, out / "residuals.png")
    if "loading_slope" in report["analyses"]:
        plot_loading_slopes(report["analyses"]["loading_slope"], out / "loading_slope.png")
