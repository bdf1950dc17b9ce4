"""Eyring activation volume V* = Ωε₀ from the strain-rate sensitivity of the flow stress.

With the Eyring barrier and s_y = 0 the steady plastic rate is (docs/model.md §2.1)

    γ̇ = 2D = (2/τ₀) e^{−T_Z/χ} e^{−Δ/T} sinh(V* τ / k_B T).

In the high-stress regime V*τ/k_BT ≫ 1 (sinh x ≈ eˣ/2; the error in ln is e^{−2x}, below 1e-4
for x > 5) at fixed χ this gives a straight line

    τ = (k_B T / V*) ln γ̇ + const,   so   V* = k_B T / (dτ / d ln γ̇).

The slope is fitted by linear least squares of τ against ln γ̇. It assumes one χ for all rates
(steady flow at χ∞, or the same structural state) and s_y ≪ τ; with s_y > 0 the factor
(1 − s_y/τ) adds a smaller, stress-dependent term to the slope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stz_fem.calibration.statistics import fit_line
from stz_fem.errors import InputError

BOLTZMANN = 1.380649e-23
"""k_B, J/K."""


@dataclass(frozen=True)
class ActivationVolumeFit:
    """V* (m³) with standard error, the slope dτ/d ln γ̇ (Pa), and x = V*τ/k_BT (regime check)."""

    V_star: float
    V_star_error: float
    slope: float
    min_argument: float


def fit_activation_volume(
    rates: np.ndarray, flow_stresses: np.ndarray, T: float
) -> ActivationVolumeFit:
    """V* = k_B T / (dτ/d ln γ̇) from flow stresses (Pa) at several rates (1/s), bath T (K).

    Raises:
        InputError: fewer than 2 distinct rates, or a flow stress that does not rise with rate.
    """
    rate = np.asarray(rates, dtype=float)
    tau = np.asarray(flow_stresses, dtype=float)
    if rate.shape != tau.shape or np.unique(rate).size < 2 or np.any(rate <= 0.0):
        raise InputError(f"rates = {rate.tolist()}: need ≥ 2 distinct positive rates (1/s)")
    line = fit_line(np.log(rate), tau)
    slope, slope_error = line.slope, line.slope_error
    if not slope > 0.0:
        raise InputError(
            f"flow_stresses: dτ/d ln(rate) = {slope:.4g} Pa ≤ 0; no positive rate sensitivity"
        )
    v_star = BOLTZMANN * T / slope
    return ActivationVolumeFit(
        V_star=v_star,
        V_star_error=v_star * slope_error / slope,
        slope=slope,
        min_argument=float(v_star * tau.min() / (BOLTZMANN * T)),
    )
