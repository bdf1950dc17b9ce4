"""The STZ-χ rate law (docs/model.md §2–3): plastic rate D and the local χ source.

Evaluated in logarithmic form, log D = −T_Z/χ − log τ₀ − log 2 − W(τ)/T + log g with
g = (1 − e^{−ΔW/T}) − (s_y/τ)(1 + e^{−ΔW/T}) and ΔW = W(−τ) − W(τ) ≥ 0, which equals the
docs/model.md form D = (1/τ₀)e^{−T_Z/χ}[½(R₊ − R₋) − ½(R₊ + R₋)s_y/τ]₊ but cannot overflow: the
plastic rate spans tens of decades between χ = 300 K and 1500 K.

The compiled kernels read the parameters as a ``Law``, a named tuple of the constants they use
(``pack``), so they read ``law.chi_inf`` where the equations say χ∞.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from stz_fem.material.parameters import MaterialParameters
from stz_fem.material.rate_terms import RATE_TERMS, barrier

LOG_2 = math.log(2.0)
_HERMITE_X, _HERMITE_W = np.polynomial.hermite.hermgauss(7)
SPREAD_NODES = math.sqrt(2.0) * _HERMITE_X
"""Barrier offsets in units of the spread σ: b0 + σ√2·x_k (7-node Gauss–Hermite)."""
SPREAD_LOG_WEIGHTS = np.log(_HERMITE_W / math.sqrt(math.pi))
"""ln of the normalized Gauss–Hermite weights (they sum to 1)."""


class Law(NamedTuple):
    """The constants of the compiled STZ-χ kernels (SI units, temperatures in K)."""

    G: float
    """Shear modulus, Pa."""
    K: float
    """Bulk modulus, Pa."""
    s_y: float
    """STZ yield stress, Pa."""
    log_tau0: float
    """ln(τ₀/s)."""
    T_Z: float
    """STZ formation temperature, K."""
    c0: float
    """Configurational specific heat, dimensionless."""
    chi_inf: float
    """Steady-state effective temperature χ∞, K."""
    T: float
    """Bath temperature, K."""
    alpha: float
    """Pressure sensitivity of τ = s̄ − αp, dimensionless."""
    beta: float
    """Dilatancy β of the flow ε̇ᵖ = D(s/s̄ + (2β/3)I), dimensionless."""
    s_chi: float
    """Stress scale of the χ source, Pa."""
    chi_T: float
    """Target of thermal χ relaxation, K."""
    relax_rate: float
    """1/t_r(T), 1/s (0: relaxation off)."""
    relax_rate0: float
    """1/t_r0, 1/s: the prefactor of 1/t_r(T) = exp(−E_r/T)/t_r0 (0: relaxation off)."""
    E_r: float
    """Activation temperature of thermal relaxation, K."""
    chi_T_fixed: bool
    """χ_T is the material's ``chi_T``; False: χ_T is the (local) temperature T."""
    rate_term: int
    """Code of the barrier W(τ) in ``rate_terms.barrier``."""
    b0: float
    """First barrier constant (Δ or W₀), K."""
    b1: float
    """Second barrier constant (Ωε₀/k_B in K/Pa, or τ_c in Pa)."""
    b_spread: float
    """Standard deviation of b0 over the STZs, K (0: one barrier)."""
    k_chi: float
    """Configurational softening of the STZ stress scales, dimensionless (0: off)."""
    chi_s: float
    """χ at which the stress scales are the material's own, K."""
    eps_a: float
    """Orientation lag ε_a, dimensionless (0: m quasi-steady; ``orientation``)."""


def pack(params: MaterialParameters) -> Law:
    """The constants the compiled kernels read."""
    term = RATE_TERMS[params.rate_term]
    b0, b1 = term.constants(params)
    return Law(
        G=params.G, K=params.K, s_y=params.s_y, log_tau0=math.log(params.tau0), T_Z=params.T_Z,
        c0=params.c0, chi_inf=params.chi_inf, T=params.T, alpha=params.alpha,
        beta=params.beta, s_chi=params.chi_stress_scale, chi_T=params.chi_relax_target,
        relax_rate=1.0 / params.relaxation_time, relax_rate0=1.0 / params.t_r0, E_r=params.E_r,
        chi_T_fixed=params.chi_T is not None, rate_term=term.code, b0=float(b0), b1=float(b1),
        b_spread=params.barrier_spread, k_chi=params.k_chi, chi_s=params.chi_s, eps_a=params.eps_a,
    )


@njit(cache=True)
def at_temperature(law: Law, T: float) -> Law:
    """The constants at temperature T (K) instead of the bath temperature (docs/model.md §3.1):
    the rate factors R± = exp(−W(±τ)/T), 1/t_r(T) and, unless ``chi_T`` is given, χ_T = T.
    G stays that of the bath temperature."""
    relax_rate = law.relax_rate0 * math.exp(-min(law.E_r / T, 700.0))
    chi_T = law.chi_T if law.chi_T_fixed else T
    return Law(
        law.G, law.K, law.s_y, law.log_tau0, law.T_Z, law.c0, law.chi_inf, T, law.alpha,
        law.beta, law.s_chi, chi_T, relax_rate, law.relax_rate0, law.E_r, law.chi_T_fixed,
        law.rate_term, law.b0, law.b1, law.b_spread, law.k_chi, law.chi_s, law.eps_a,
    )


@njit(cache=True)
def _log_rate_one(tau: float, chi: float, law: Law, b0: float) -> tuple[float, float]:
    """log D and ∂ log D/∂τ of STZs with barrier constant b0 (K); see ``log_rate``."""
    T = law.T
    w_fwd, dw_fwd, asym, dasym = barrier(law.rate_term, tau, b0, law.b1)
    asym /= T
    e = math.exp(-asym)  # R₋/R₊, backward jumps relative to forward ones
    de = -e * dasym / T
    ratio = law.s_y / tau
    g = -math.expm1(-asym) - ratio * (1.0 + e)
    if g <= 0.0:
        return -math.inf, 0.0
    dg = -de * (1.0 + ratio) + ratio / tau * (1.0 + e)
    log_d = -law.T_Z / chi - law.log_tau0 - LOG_2 - w_fwd / T + math.log(g)
    return log_d, -dw_fwd / T + dg / g


@njit(cache=True)
def softening(chi: float, law: Law) -> float:
    """f(χ) = exp(−k_χ(χ − χ_s)/T_Z), the factor on the STZ stress scales (1 when off)."""
    return math.exp(min(max(-law.k_chi * (chi - law.chi_s) / law.T_Z, -700.0), 700.0))


@njit(cache=True)
def log_rate_chi_slope(tau: float, l_tau: float, chi: float, law: Law) -> float:
    """∂ log D/∂χ (1/K) at τ (Pa) and χ (K), given l_tau = ∂ log D/∂τ there (``log_rate``):
    T_Z/χ² from the STZ density, plus k_χτ·l_tau/T_Z from the softened stress scale."""
    return law.T_Z / chi / chi + law.k_chi / law.T_Z * tau * l_tau


@njit(cache=True)
def _log_rate_unsoftened(tau: float, chi: float, law: Law) -> tuple[float, float]:
    """``log_rate`` (below) with the material's own stress scales (f = 1).

    With a barrier spread σ = ``law.b_spread`` > 0, D is the mean over b0 + σ√2·x_k (clipped at
    0) with the Gauss–Hermite weights w_k/√π (docs/model.md §2.3), summed in log form.
    Returns (−inf, 0) where D = 0: τ ≤ 0, or below the STZ yield stress.
    """
    if tau <= 0.0:
        return -math.inf, 0.0
    if law.b_spread == 0.0:
        return _log_rate_one(tau, chi, law, law.b0)
    top, total, slope = -math.inf, 0.0, 0.0  # running log-sum-exp: e^top·total = Σ w_k D_k
    for k in range(SPREAD_NODES.size):
        log_d, dlog = _log_rate_one(tau, chi, law,
                                    max(law.b0 + law.b_spread * SPREAD_NODES[k], 0.0))
        term = log_d + SPREAD_LOG_WEIGHTS[k]
        if term == -math.inf:
            continue
        if term > top:
            scale = math.exp(top - term)
            total, slope, top = total * scale + 1.0, slope * scale + dlog, term
        else:
            weight = math.exp(term - top)
            total += weight
            slope += weight * dlog
    if total == 0.0:
        return -math.inf, 0.0
    return top + math.log(total), slope / total


@njit(cache=True)
def log_rate(tau: float, chi: float, law: Law) -> tuple[float, float]:
    """log D (D in 1/s) and ∂ log D/∂τ (1/Pa) at effective shear stress τ (Pa) and χ (K).

    With configurational softening (k_χ > 0, docs/model.md §2.3) the law sees the stress in
    units of the glass's strength: D(τ, χ) = D₀(τ/f(χ), χ), f = exp(−k_χ(χ − χ_s)/T_Z), so s_y
    and the barrier's stress scale (τ_c, or Δk_B/Ωε₀) scale with f.
    Returns (−inf, 0) where D = 0: τ ≤ 0, or below the STZ yield stress.
    """
    if law.k_chi == 0.0:
        return _log_rate_unsoftened(tau, chi, law)
    f = softening(chi, law)
    log_d, l_tau = _log_rate_unsoftened(tau / f, chi, law)
    return log_d, l_tau / f


def chi_source(chi, work, relax, law: Law):
    """The local source of c₀χ and its derivative with respect to χ (docs/model.md §3):

        c₀χ̇ = work·(χ∞ − χ) + relax·(χ_T − χ),   work = 2Ds̄/s_χ,  relax = c₀/t_r,

    in K/s with work and relax in 1/s, or in K per step with both multiplied by Δt (as the
    backward-Euler update uses it). Linear in χ, so a step solves it exactly. Scalars or arrays;
    ``chi_source_compiled`` is the same function for the kernels.
    """
    return work * (law.chi_inf - chi) + relax * (law.chi_T - chi), -(work + relax)


chi_source_compiled = njit(cache=True)(chi_source)


@njit(cache=True)
def _rates(tau: np.ndarray, chi: np.ndarray, law: Law, out: np.ndarray) -> None:
    for i in range(tau.size):
        log_d, _ = log_rate(tau[i], chi[i], law)
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
    law = pack(params)
    work = 2.0 * np.asarray(rate, float) * np.asarray(sbar, float) / law.s_chi
    source, _ = chi_source(np.asarray(chi, float), work, law.c0 * law.relax_rate, law)
    return source / law.c0
