"""Johnson–Samwer coefficients from yield stresses at several temperatures (docs/model.md §2.1, §5).

The cooperative shear model gives, at a fixed strain rate,

    τ_y / G = γ_C0 − γ_C1 (T/T_g)^{2/3},

a straight line in x = (T/T_g)^{2/3}: the intercept is γ_C0 and minus the slope is γ_C1. The
barrier then follows from the consistency formula W₀ = T_g ln(ω₀/γ̇_ref) (γ_C0/γ_C1)^{3/2}
(``js_consistent_barrier``), with γ̇_ref the strain rate of the yield data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stz_fem.calibration.statistics import fit_line
from stz_fem.errors import InputError
from stz_fem.material.parameters import js_consistent_barrier


@dataclass(frozen=True)
class JohnsonSamwerFit:
    """γ_C0, γ_C1 (dimensionless) with standard errors, and R² of the line."""

    gamma_C0: float
    gamma_C1: float
    gamma_C0_error: float
    gamma_C1_error: float
    r2: float


def fit_johnson_samwer(
    temperatures: np.ndarray, yield_stresses: np.ndarray, G: float, Tg: float
) -> JohnsonSamwerFit:
    """Linear least squares of τ_y/G against (T/T_g)^{2/3}.

    Args:
        temperatures: test temperatures, K (at least 2 distinct; 3 for standard errors).
        yield_stresses: shear yield stresses τ_y at those temperatures, Pa (one strain rate).
        G: shear modulus, Pa.
        Tg: glass transition temperature, K.
    """
    T = np.asarray(temperatures, dtype=float)
    tau = np.asarray(yield_stresses, dtype=float)
    if T.shape != tau.shape or np.unique(T).size < 2:
        raise InputError(
            f"temperatures = {T.tolist()}: need ≥ 2 distinct temperatures, one per yield stress"
        )
    x = (T / Tg) ** (2.0 / 3.0)
    y = tau / G
    line = fit_line(x, y)  # τ_y/G = γ_C0 − γ_C1 x
    resid = y - (line.intercept + line.slope * x)
    r2 = 1.0 - np.sum(resid**2) / np.sum((y - y.mean()) ** 2)
    return JohnsonSamwerFit(line.intercept, -line.slope, line.intercept_error, line.slope_error,
                            float(r2))


def js_barrier_from_fit(
    fit: JohnsonSamwerFit, Tg: float, T_Z: float, chi: float, tau0: float, rate: float
) -> float:
    """W₀ (K) consistent with ``fit``: ω₀ = exp(−T_Z/χ)/τ₀ at the χ of the yield data (K),
    τ₀ in s, and the engineering shear rate of the yield data (1/s)."""
    omega0 = math.exp(-T_Z / chi) / tau0
    return js_consistent_barrier(Tg, fit.gamma_C0, fit.gamma_C1, omega0, rate)
