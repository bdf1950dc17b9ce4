"""The STZ orientation m as an internal variable, in homogeneous simple shear (docs/model.md §2.4).

The law of §2 takes the orientation of the STZ population at its quasi-steady value: m = 𝒯(τ)
below the yield stress (no flow) and m = s_y/τ in flow, which gives D = ΛC[𝒯 − s_y/τ]₊/τ₀.
Bouchbinder & Langer (PRE 80, 031132, 2009) give m its own equation; in this project's gauge
(ε₀ absorbed in τ₀, so that ε_a → 0 is the law of §2 exactly):

    D = (Λ C(τ)/τ₀)(𝒯(τ) − m),      ṁ = (2 C(τ)/(ε_a τ₀))(𝒯(τ) − m)(1 − m τ/s_y),

Λ = e^{−T_Z/χ}, C = ½(R₊ + R₋), 𝒯 = (R₊ − R₋)/(R₊ + R₋). Below yield m relaxes towards 𝒯 in
τ₀ε_a/2C, thermally activated through C, and the strain it carries, ε_aΛ(m − m₀)/2, is
anelastic: recovered on unloading, rate dependent where 2C/(ε_aτ₀) is near the loading rate.
A fresh glass starts at m = 0 (no orientation). With configurational softening τ → τ/f(χ)
and s_y → f s_y, as in ``stz.log_rate``.

With a barrier spread (docs/model.md §2.3) each barrier class k of the Gauss–Hermite average
has its own orientation m_k and relaxation time, D = Σ w_k Λ C_k(𝒯_k − m_k)/τ₀: a spectrum of
anelastic times, as activation-energy spectra of glasses have.

One backward-Euler step: for a plastic increment x = Δt·D each m_k equation is a quadratic with
the root that continues m_k,ₙ (the smaller one); x then solves the scalar equation
φ(x) = x − Δt Λ Σ w_k C_k(𝒯_k − m_k(x))/τ₀ = 0, bracketed and found by the Illinois method.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from stz_fem.material.rate_terms import barrier
from stz_fem.material.stz import SPREAD_LOG_WEIGHTS, SPREAD_NODES, Law, softening
from stz_fem.material.update import chi_of_increment

MAX_ITERATIONS = 200
_XTOL = 1e-16
"""Absolute tolerance on the increment x (strain): far below any elastic strain."""


@njit(cache=True)
def rate_factors(tau: float, law: Law, b0: float) -> tuple[float, float, float, float]:
    """C = ½(R₊ + R₋), 𝒯 = (R₊ − R₋)/(R₊ + R₋) and their slopes dC/dτ, d𝒯/dτ (1/Pa) at stress
    τ (Pa) of STZs with barrier constant b0 (K); C is even in τ, 𝒯 odd."""
    w_fwd, dw_fwd, asym, dasym = barrier(law.rate_term, abs(tau), b0, law.b1)
    T = law.T
    e = math.exp(-asym / T)
    rate = 0.5 * math.exp(-w_fwd / T)
    c = rate * (1.0 + e)
    dc = -rate * (dw_fwd * (1.0 + e) + dasym * e) / T
    bias = -math.expm1(-asym / T) / (1.0 + e)
    dbias = (1.0 - bias * bias) * dasym / (2.0 * T)
    if tau >= 0.0:
        return c, bias, dc, dbias
    return c, -bias, -dc, dbias


@njit(cache=True)
def orientation_after(m_n: float, a: float, b: float, bias: float) -> float:
    """m at the end of a step from m − mₙ = a(𝒯 − m)(1 − b m), a = 2ΔtC/(ε_aτ₀), b = τ/s_y:
    the root of ab·m² − (1 + a + ab𝒯)m + (mₙ + a𝒯) = 0 that continues mₙ (the smaller),
    in the form without cancellation. The annihilation term −a(𝒯 − m)bm is a rate ∝ the
    plastic work, taken ≥ 0: where m relaxes down to 𝒯 (mₙ > 𝒯, reverse flow) it is off and
    m − mₙ = a(𝒯 − m)."""
    if m_n > bias:
        return (m_n + a * bias) / (1.0 + a)
    c = m_n + a * bias
    big = 1.0 + a + a * b * bias
    disc = max(big * big - 4.0 * a * b * c, 0.0)
    return 2.0 * c / (big + math.sqrt(disc))


def classes(law: Law) -> int:
    """How many orientations a point carries: one per barrier class (``stz.SPREAD_NODES``
    with a barrier spread, else one)."""
    return SPREAD_NODES.size if law.b_spread > 0.0 else 1


@njit(cache=True)
def _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m):
    """φ(x) and χ at the end of the step for plastic increment x; m (one per barrier class) is
    written into ``m``."""
    tau = tau_tr - 2.0 * law.G * x
    chi, _, _ = chi_of_increment(max(x, 0.0), tau_tr, chi_n, relax, law)
    f = softening(chi, law)
    b = tau / (f * law.s_y)
    a_scale = 2.0 * dt / (law.eps_a * math.exp(law.log_tau0))
    flow = 0.0
    for k in range(m_n.size):
        b0 = law.b0
        weight = 1.0
        if m_n.size > 1:
            b0 = max(law.b0 + law.b_spread * SPREAD_NODES[k], 0.0)
            weight = math.exp(SPREAD_LOG_WEIGHTS[k])
        c, bias, _, _ = rate_factors(tau / f, law, b0)
        m[k] = orientation_after(m_n[k], a_scale * c, b, bias)
        flow += weight * c * (bias - m[k])
    return x - math.exp(math.log(dt) - law.T_Z / chi - law.log_tau0) * flow, chi


@njit(cache=True)
def shear_increment(tau_tr: float, chi_n: float, m_n: np.ndarray, dt: float, law: Law,
                    m: np.ndarray) -> tuple[float, float]:
    """Plastic increment x = Δt·D (signed) and χ (K) at the end of a simple-shear step; the
    orientations at its end are written into ``m``.

    Args:
        tau_tr: trial shear stress G(γ − γᵖ), Pa. chi_n: χ at the start, K.
        m_n: orientations at the start, one per barrier class (``classes``).
        dt: step, s. law: the constants (``stz.pack``), with eps_a > 0 and s_y > 0.
    """
    relax = law.c0 * dt * law.relax_rate
    phi0, chi = _residual(0.0, tau_tr, chi_n, m_n, dt, relax, law, m)
    if phi0 == 0.0:
        return 0.0, chi
    # the far end of the bracket has the stress that makes φ change sign: τ → −|τ_tr| − 2G
    # flows backwards (𝒯 → −1 ≤ m), τ → |τ_tr| + 2G forwards
    far = (abs(tau_tr) + 2.0 * law.G) / (2.0 * law.G)
    if phi0 < 0.0:
        lo, f_lo = 0.0, phi0
        hi = max(tau_tr, 0.0) / (2.0 * law.G)  # τ = 0: φ ≥ 0 unless some m < 0
        f_hi = _residual(hi, tau_tr, chi_n, m_n, dt, relax, law, m)[0] if hi > 0.0 else -1.0
        if not f_hi >= 0.0:
            hi = far
            f_hi = _residual(hi, tau_tr, chi_n, m_n, dt, relax, law, m)[0]
    else:
        lo, hi, f_hi = -far, 0.0, phi0
        f_lo = _residual(lo, tau_tr, chi_n, m_n, dt, relax, law, m)[0]
    side = 0
    x = hi
    for _ in range(MAX_ITERATIONS):
        if hi - lo <= _XTOL + 1e-14 * abs(x):
            break
        x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        if not lo < x < hi:
            x = 0.5 * (lo + hi)
        fx = _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m)[0]
        if abs(fx) <= _XTOL + 1e-14 * abs(x):
            break
        if fx > 0.0:
            hi, f_hi = x, fx
            if side == 1:
                f_lo *= 0.5  # Illinois: the endpoint kept twice counts half
            side = 1
        else:
            lo, f_lo = x, fx
            if side == -1:
                f_hi *= 0.5
            side = -1
    _, chi = _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m)
    return x, chi

