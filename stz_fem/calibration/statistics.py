"""Goodness of fit and parameter uncertainty of a least-squares fit.

Standard errors follow the linearized model at the optimum: cov = s² (JᵀJ)⁻¹ with the residual
variance s² = Σr²/(m − n) (m residuals, n parameters). This assumes independent residuals of
equal variance; MD stress noise is correlated in strain, so the errors are a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.fit import FitResult

RELATIVE_ERROR_LIMIT = 0.25
"""Relative standard error above which a parameter counts as not identified."""
CORRELATION_LIMIT = 0.98
"""|correlation| above which two parameters count as not separately identified."""
CONDITION_LIMIT = 1e10
"""Condition number of JᵀJ (in relative parameter units) above which it counts as singular."""


def rms_relative_to_peak(model: np.ndarray, curve: DataCurve) -> float:
    """Root-mean-square model error of one curve divided by its peak |stress|."""
    return float(np.sqrt(np.mean((model - curve.stress) ** 2)) / curve.peak)


def overall_rms_relative_to_peak(models: list[np.ndarray], curves: list[DataCurve]) -> float:
    """RMS over all data points of (model − data)/peak of the point's curve (unweighted)."""
    rel = np.concatenate([(m - c.stress) / c.peak for m, c in zip(models, curves, strict=True)])
    return float(np.sqrt(np.mean(rel**2)))


def r_squared(model: np.ndarray, data: np.ndarray) -> float:
    """Coefficient of determination 1 − Σ(model − data)² / Σ(data − mean)²."""
    return float(1.0 - np.sum((model - data) ** 2) / np.sum((data - data.mean()) ** 2))


@dataclass(frozen=True)
class Uncertainty:
    """Standard errors (SI units of each parameter), correlation matrix, and warnings."""

    standard_errors: np.ndarray
    correlation: np.ndarray
    condition: float
    warnings: list[str]


def parameter_uncertainty(fit: FitResult) -> Uncertainty:
    """Standard errors and correlations of the fitted parameters, with identifiability warnings.

    Warns when JᵀJ is near singular, when a relative standard error exceeds
    ``RELATIVE_ERROR_LIMIT``, when |correlation| exceeds ``CORRELATION_LIMIT``, and when a
    parameter ended on a bound (its standard error then means little).
    """
    names = [p.name for p in fit.free]
    m, n = fit.jacobian.shape
    # Relative units (dr/d ln value) so the condition number does not depend on SI magnitudes.
    jac = fit.jacobian * fit.values
    normal = jac.T @ jac
    condition = float(np.linalg.cond(normal))
    warnings = []
    if not condition < CONDITION_LIMIT:
        warnings.append(
            f"JᵀJ is near singular (condition number {condition:.3g} > {CONDITION_LIMIT:g}): "
            "the data cannot fix all free parameters; the errors use a pseudo-inverse"
        )
    dof = m - n
    variance = float(np.sum(fit.residuals**2) / dof) if dof > 0 else np.nan
    cov_rel = variance * np.linalg.pinv(normal, rcond=1.0 / CONDITION_LIMIT)
    diag = np.sqrt(np.clip(np.diag(cov_rel), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = cov_rel / np.outer(diag, diag)
    np.fill_diagonal(correlation, 1.0)
    # A direction of (near) zero curvature leaves its parameters free: pinv drops it, which
    # would show them with tiny errors. Parameters with a share > 10 % in such a direction
    # get an infinite standard error.
    eigenvalues, vectors = np.linalg.eigh(normal)
    null = eigenvalues <= eigenvalues.max() / CONDITION_LIMIT
    loose = np.any(vectors[:, null] ** 2 > 0.1, axis=1) if np.any(null) else np.zeros(n, bool)
    diag = np.where(loose, np.inf, diag)
    standard_errors = diag * np.abs(fit.values)
    for k, name in enumerate(names):
        if fit.at_bound[k]:
            warnings.append(f"{name} ended on a bound of its range: widen the bounds or fix it")
        if not diag[k] <= RELATIVE_ERROR_LIMIT:
            warnings.append(
                f"{name}: relative standard error {diag[k]:.3g} > {RELATIVE_ERROR_LIMIT}: "
                "not identified by these curves"
            )
        for j in range(k + 1, n):
            if abs(correlation[k, j]) > CORRELATION_LIMIT:
                warnings.append(
                    f"{name} and {names[j]}: correlation {correlation[k, j]:+.4f} "
                    f"(|r| > {CORRELATION_LIMIT}): only a combination is identified"
                )
    return Uncertainty(standard_errors, correlation, condition, warnings)


@dataclass(frozen=True)
class LineFit:
    """y = intercept + slope·x by least squares, with standard errors (nan with 2 points)."""

    slope: float
    intercept: float
    slope_error: float
    intercept_error: float


def fit_line(x: np.ndarray, y: np.ndarray) -> LineFit:
    """Least-squares line through points (x, y) with at least 2 distinct x; standard errors
    from the residual variance Σr²/(n − 2) (independent points of equal variance)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    design = np.column_stack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = x.size - 2
    if dof > 0:
        variance = float(np.sum((y - design @ coef) ** 2)) / dof
        errors = np.sqrt(variance * np.diag(np.linalg.inv(design.T @ design)))
    else:
        errors = np.full(2, np.nan)
    return LineFit(float(coef[0]), float(coef[1]), float(errors[0]), float(errors[1]))
