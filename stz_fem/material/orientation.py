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

One backward-Euler step: for a plastic increment x = Δt·D each m_k equation is a quadratic,
solved for the lag 𝒯_k − m_k itself (the rate is proportional to it); x then solves the scalar
equation φ(x) = x − Δt Λ Σ w_k C_k(𝒯_k − m_k(x))/τ₀ = 0, bracketed and found by Newton's method
with the analytic dφ/dx (through χ, f, C_k, 𝒯_k and each lag), Illinois secants where a step
would leave the bracket.
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
def lag_after(m_n: float, a: float, b: float, bias: float) -> float:
    """The lag d = 𝒯 − m at the end of a step from m − mₙ = a(𝒯 − m)(1 − b m),
    a = 2ΔtC/(ε_aτ₀), b = τ/s_y. Computed as d itself, the root of
    ab·d² + (1 + a − ab𝒯)d − (𝒯 − mₙ) = 0 that continues 𝒯 − mₙ, in a form without
    cancellation: the plastic rate is ∝ d, and where a ≫ 1 holds m at 𝒯 to many digits, m − 𝒯
    formed from m would have none left. The annihilation term −a(𝒯 − m)bm is a rate ∝ the
    plastic work, taken ≥ 0: where m relaxes against the stress (reverse flow) it is off and
    m − mₙ = a(𝒯 − m)."""
    gap = bias - m_n
    if gap * b < 0.0:
        return gap / (1.0 + a)
    sign = 1.0 if gap >= 0.0 else -1.0  # the equation is odd in (d, b, 𝒯, mₙ)
    target = sign * bias
    if not a < math.inf:  # m reaches its target at once: 𝒯, or s_y/τ where that is lower
        return sign * max(target - 1.0 / abs(b), 0.0) if b != 0.0 else 0.0
    ab = a * abs(b)
    lin = 1.0 + a - ab * target
    root = math.hypot(lin, 2.0 * math.sqrt(ab) * math.sqrt(abs(gap)))  # no overflow of lin²
    if lin >= 0.0:
        return sign * 2.0 * abs(gap) / (lin + root)
    return sign * (root - lin) / (2.0 * ab)


@njit(cache=True)
def _lag_slopes(m_n, d, a, b, bias):
    """∂d/∂a, ∂d/∂b, ∂d/∂𝒯 of ``lag_after`` (d = 𝒯 − m), from its equation
    F = m − mₙ − a(𝒯 − m)(1 − bm) = 0 (without annihilation against the stress)."""
    m = bias - d
    if (bias - m_n) * b < 0.0:
        return -d / (1.0 + a), 0.0, 1.0 / (1.0 + a)
    keep = 1.0 - b * m
    dF_dm = 1.0 + a * keep + a * b * d
    return -d * keep / dF_dm, a * d * m / dF_dm, 1.0 - a * keep / dF_dm


def classes(law: Law) -> int:
    """How many orientations a point carries: one per barrier class (``stz.SPREAD_NODES``
    with a barrier spread, else one)."""
    return SPREAD_NODES.size if law.b_spread > 0.0 else 1


@njit(cache=True)
def _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m):
    """φ(x), dφ/dx and χ at the end of the step for plastic increment x; m (one per barrier
    class) is written into ``m``. χ rises only with positive plastic work x·τ."""
    two_g = 2.0 * law.G
    tau = tau_tr - two_g * x
    flows = x * tau > 0.0  # positive plastic work: only then does χ rise
    chi, dchi, _ = chi_of_increment(x if flows else 0.0, tau_tr, chi_n, relax, law)
    dchi = dchi if flows else 0.0
    f = softening(chi, law)
    du = (-two_g + tau * law.k_chi * dchi / law.T_Z) / f  # of the softened stress u = τ/f
    b = tau / (f * law.s_y)
    db = du / law.s_y
    a_scale = 2.0 * dt / (law.eps_a * math.exp(law.log_tau0))
    flow = 0.0
    dflow = 0.0
    for k in range(m_n.size):
        b0 = law.b0
        weight = 1.0
        if m_n.size > 1:
            b0 = max(law.b0 + law.b_spread * SPREAD_NODES[k], 0.0)
            weight = math.exp(SPREAD_LOG_WEIGHTS[k])
        c, bias, dc, dbias = rate_factors(tau / f, law, b0)
        a = a_scale * c
        lag = lag_after(m_n[k], a, b, bias)
        m[k] = bias - lag
        d_a, d_b, d_bias = _lag_slopes(m_n[k], lag, a, b, bias)
        flow += weight * c * lag
        dflow += weight * (dc * du * lag + c * (d_a * a_scale * dc * du + d_b * db
                                                + d_bias * dbias * du))
    scale = math.exp(math.log(dt) - law.T_Z / chi - law.log_tau0)
    dlam = law.T_Z * dchi / (chi * chi)  # d log Λ/dx
    return x - scale * flow, 1.0 - scale * (dlam * flow + dflow), chi


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
    phi0, dphi, chi = _residual(0.0, tau_tr, chi_n, m_n, dt, relax, law, m)
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
    # Newton from x = 0 inside the bracket, which every iterate tightens; a step that leaves
    # it is replaced by the Illinois secant of the bracket (the exponential rate makes φ
    # strongly curved: a secant alone converges linearly over tens of iterations).
    x, fx = 0.0, phi0
    side = 0
    for iteration in range(MAX_ITERATIONS):
        if hi - lo <= _XTOL + 1e-14 * abs(x):
            if iteration == 0:  # m and χ are those of the bracket's far end: back to x = 0
                fx, dphi, chi = _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m)
            break
        candidate = x - fx / dphi if dphi > 0.0 else math.nan
        if not lo < candidate < hi:
            candidate = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
            if not lo < candidate < hi:
                candidate = 0.5 * (lo + hi)
        x = candidate
        fx, dphi, chi = _residual(x, tau_tr, chi_n, m_n, dt, relax, law, m)
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
    return x, chi
