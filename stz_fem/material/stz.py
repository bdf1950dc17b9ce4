"""The STZ-χ rate law (docs/model.md §2–3): plastic rate D and the local χ source.

Evaluated in logarithmic form, log D = −T_Z/χ − log τ₀ − log 2 − W(τ)/T + log g with
g = (1 − e^{−ΔW/T}) − (s_y/τ)(1 + e^{−ΔW/T}) and ΔW = W(−τ) − W(τ) ≥ 0, which equals the
docs/model.md form D = (1/τ₀)e^{−T_Z/χ}[½(R₊ − R₋) − ½(R₊ + R₋)s_y/τ]₊ but cannot overflow: the
plastic rate spans tens of decades between χ = 300 K and 1500 K.

The compiled kernels take the parameters packed into a float array (``pack``); the indices
below name its slots.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from stz_fem.material.parameters import MaterialParameters
from stz_fem.material.rate_terms import RATE_TERMS, barrier

(
    I_G, I_K, I_SY, I_LOG_TAU0, I_TZ, I_C0, I_CHI_INF, I_T, I_ALPHA, I_SCHI, I_CHI_T,
    I_RELAX, I_CODE, I_B0, I_B1,
) = range(15)
N_CONSTANTS = 15


def pack(params: MaterialParameters) -> np.ndarray:
    """The parameters as the float64 array the compiled kernels read (slots ``I_*``)."""
    term = RATE_TERMS[params.rate_term]
    b0, b1 = term.constants(params)
    c = np.empty(N_CONSTANTS)
    c[I_G], c[I_K], c[I_SY] = params.G, params.K, params.s_y
    c[I_LOG_TAU0], c[I_TZ], c[I_C0] = math.log(params.tau0), params.T_Z, params.c0
    c[I_CHI_INF], c[I_T], c[I_ALPHA] = params.chi_inf, params.T, params.alpha
    c[I_SCHI], c[I_CHI_T] = params.chi_stress_scale, params.chi_relax_target
    c[I_RELAX] = 1.0 / params.relaxation_time
    c[I_CODE], c[I_B0], c[I_B1] = term.code, b0, b1
    return c


@njit(cache=True)
def log_rate(tau: float, chi: float, c: np.ndarray) -> tuple[float, float]:
    """log D (D in 1/s) and ∂ log D/∂τ (1/Pa) at effective shear stress τ (Pa) and χ (K).

    Returns (−inf, 0) where D = 0: τ ≤ 0, or below the STZ yield stress.
    """
    if tau <= 0.0:
        return -math.inf, 0.0
    T = c[I_T]
    w_fwd, dw_fwd, asym, dasym = barrier(int(c[I_CODE]), tau, c[I_B0], c[I_B1])
    asym /= T
    e = math.exp(-asym)
    de = -e * dasym / T
    ratio = c[I_SY] / tau
    g = -math.expm1(-asym) - ratio * (1.0 + e)
    if g <= 0.0:
        return -math.inf, 0.0
    dg = -de * (1.0 + ratio) + ratio / tau * (1.0 + e)
    log_d = -c[I_TZ] / chi - c[I_LOG_TAU0] - math.log(2.0) - w_fwd / T + math.log(g)
    return log_d, -dw_fwd / T + dg / g


@njit(cache=True)
def _rates(tau: np.ndarray, chi: np.ndarray, c: np.ndarray, out: np.ndarray) -> None:
    for i in range(tau.size):
        log_d, _ = log_rate(tau[i], chi[i], c)
        out[i] = math.exp(log_d)


def effective_shear_stress(sbar: np.ndarray, pressure: np.ndarray, alpha: float) -> np.ndarray:
    """τ = max(s̄ − α·p, 0), Pa (p positive in compression)."""
    return np.maximum(np.asarray(sbar) - alpha * np.asarray(pressure), 0.0)


def plastic_rate(params: MaterialParameters, tau: np.ndarray, chi: np.ndarray) -> np.ndarray:
    """Plastic rate D (1/s) at effective shear stress τ (Pa) and effective temperature χ (K).

    Overflows to inf only where D itself exceeds the float range.
    """
    tau_b, chi_b = np.broadcast_arrays(np.asarray(tau, float), np.asarray(chi, float))
    out = np.empty(tau_b.shape)
    _rates(
        np.ascontiguousarray(tau_b).ravel(), np.ascontiguousarray(chi_b).ravel(), pack(params),
        out.reshape(-1),
    )
    return out


def chi_rate(
    params: MaterialParameters, rate: np.ndarray, sbar: np.ndarray, chi: np.ndarray
) -> np.ndarray:
    """Local χ̇ (K/s) without diffusion: [2Ds̄(χ∞ − χ)/s_χ − c₀(χ − χ_T)/t_r]/c₀ (docs/model.md §3).

    Args:
        rate: plastic rate D, 1/s. sbar: equivalent shear stress s̄, Pa. chi: χ, K.
    """
    work = 2.0 * rate * sbar * (params.chi_inf - chi) / params.chi_stress_scale
    relax = params.c0 * (chi - params.chi_relax_target) / params.relaxation_time
    return (work - relax) / params.c0
