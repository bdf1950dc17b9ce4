"""Least-squares fit of the homogeneous (0-D) STZ-χ model to stress–strain curves.

Each curve is simulated by the material-point driver at its loading, rate and temperature; the
model stress is interpolated linearly at the data strains. Residual of data point i of curve c:

    r_i = sqrt(w_c) · (σ_model(ε_i) − σ_data(ε_i)) / peak_c,

with peak_c the largest |σ_data| of curve c in its window, so curves at different stress levels
count alike and the residuals are relative errors. Free parameters are scaled for the optimizer:
x = value/initial (linear) or x = ln(value/initial) (log), so every x moves on a scale of one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from stz_fem.calibration.config import FitConfig, FreeParameter
from stz_fem.calibration.curves import DataCurve
from stz_fem.material import MaterialParameters
from stz_fem.material_point import Loading, StepLimits, run


@dataclass(frozen=True)
class FitResult:
    """Outcome of ``fit_curves``.

    Attributes:
        params: best-fit material (T of the base material).
        free: the free parameters, in the order of ``values`` and of the Jacobian columns.
        values: fitted values, SI units.
        jacobian: d r / d value (residuals per SI unit of each parameter), shape (m, n).
        residuals: weighted relative residuals r at the optimum, shape (m,).
        models: model stress (Pa) at each curve's data strains.
        at_bound: True where a parameter ended within 0.1 % of the range from a bound.
        evaluations: number of residual evaluations.
        message: the optimizer's termination message.
    """

    params: MaterialParameters
    free: tuple[FreeParameter, ...]
    values: np.ndarray
    jacobian: np.ndarray
    residuals: np.ndarray
    models: list[np.ndarray]
    at_bound: np.ndarray
    evaluations: int
    message: str


def to_values(free: tuple[FreeParameter, ...], x: np.ndarray) -> np.ndarray:
    """Parameter values (SI) of optimizer variables x."""
    return np.array([
        p.initial * (np.exp(xi) if p.log else xi) for p, xi in zip(free, x, strict=True)
    ])


def to_variables(free: tuple[FreeParameter, ...], values: np.ndarray) -> np.ndarray:
    """Optimizer variables x of parameter values (SI)."""
    return np.array([
        np.log(v / p.initial) if p.log else v / p.initial for p, v in zip(free, values, strict=True)
    ])


def model_stress(
    params: MaterialParameters, curve: DataCurve, limits: StepLimits, max_steps: int = 200_000
) -> np.ndarray:
    """Model stress (Pa) at the data strains of ``curve``, at its loading, rate and T.

    Data strains below zero (noise at the start) get the zero-strain stress, zero.

    Raises:
        RuntimeError: the driver needed more than ``max_steps`` steps or its step underflowed.
    """
    spec = curve.spec
    loading = Loading(kind=spec.loading, rate=spec.rate, strain=float(curve.strain.max()))
    response = run(params.replace(T=spec.temperature), loading, limits, max_steps)
    return np.interp(curve.strain, response["strain"], response["stress_Pa"])


def _curve_residuals(model: np.ndarray, curve: DataCurve) -> np.ndarray:
    return np.sqrt(curve.spec.weight) * (model - curve.stress) / curve.peak


def fit_curves(config: FitConfig, curves: list[DataCurve]) -> FitResult:
    """Fit the free parameters of ``config`` to ``curves`` with scipy's least_squares (trf)."""
    free = config.free

    def material_of(x: np.ndarray) -> MaterialParameters:
        values = to_values(free, x)
        return config.base.replace(**{p.name: float(v) for p, v in zip(free, values, strict=True)})

    def models_of(x: np.ndarray) -> list[np.ndarray]:
        params = material_of(x)
        out = []
        for curve in curves:
            try:
                out.append(model_stress(params, curve, config.limits, config.max_steps))
            except RuntimeError:
                # Only extreme trial parameters need that many steps (or underflow); a zero
                # response is a large, finite residual that steers the optimizer back.
                out.append(np.zeros_like(curve.stress))
        return out

    def residuals(x: np.ndarray) -> np.ndarray:
        return np.concatenate([
            _curve_residuals(m, c) for m, c in zip(models_of(x), curves, strict=True)
        ])

    lower = to_variables(free, np.array([p.lower for p in free]))
    upper = to_variables(free, np.array([p.upper for p in free]))
    x0 = to_variables(free, np.array([p.initial for p in free]))
    result = least_squares(
        residuals, x0, bounds=(lower, upper), method="trf", diff_step=config.diff_step,
        max_nfev=config.max_evaluations,
    )
    values = to_values(free, result.x)
    # dr/dvalue = dr/dx · dx/dvalue; dx/dvalue = 1/value (log) or 1/initial (linear).
    dx_dvalue = np.array([1.0 / v if p.log else 1.0 / p.initial for p, v in zip(free, values,
                                                                                 strict=True)])
    return FitResult(
        params=material_of(result.x),
        free=free,
        values=values,
        jacobian=np.asarray(result.jac) * dx_dvalue,
        residuals=result.fun,
        models=models_of(result.x),
        # trf keeps iterates strictly inside, so "on a bound" means within 0.1 % of the range.
        at_bound=np.minimum(result.x - lower, upper - result.x) <= 1e-3 * (upper - lower),
        evaluations=int(result.nfev),
        message=str(result.message),
    )
