"""Backward-Euler local update of the STZ-χ law, vectorized over material points.

Given the total strain ε at the end of a step, the plastic strain εᵖₙ and χₙ at its start and
the step Δt, find the plastic increment Δγ = Δt·D ≥ 0 (1/2 of the engineering increment) with
everything at the end of the step (flow ε̇ᵖ = D(s/s̄ + (2β/3)I), docs/model.md §2.2):

    s = s_tr − 2G·Δγ·N,   N = s_tr/s̄_tr      (the deviator returns radially: s ∥ s_tr)
    s̄ = s̄_tr − 2G·Δγ,     p = p_tr + 2Kβ·Δγ,  p_tr = −K(tr ε − tr εᵖₙ)
    τ = max(s̄ − αp, 0) = τ_tr − 2(G + αβK)·Δγ      (dilatancy raises the pressure)
    c₀(χ − χₙ) = 2Δγ·s̄(χ∞ − χ)/s_χ − c₀Δt(χ − χ_T)/t_r        (linear in χ given Δγ)
    φ(Δγ) = log Δγ − log Δt − log D(τ, χ) = 0

With β = 0 the plastic strain stays traceless and p_tr = −K tr ε exactly as before β existed.
χ(Δγ) is a convex combination of χₙ, χ∞ and χ_T, so it never overshoots χ∞. The scalar
equation is solved by Newton's method inside a bracket that every iterate tightens, falling
back to geometric bisection, so no step size gives NaN, overflow or a root outside
[0, s̄_tr/2G]. Δγ below ``X_TINY`` = 1e-300 counts as zero (an elastic step), so a cold bath
or a huge barrier, where D·Δt underflows, never reaches log 0 or 1/0; only a trial stress that
is itself not representable gives NaN outputs (``update_points``). All quantities in SI;
tensors in Mandel notation (``mandel``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from stz_fem.material.parameters import MaterialParameters
from stz_fem.material.stz import (
    Law,
    at_temperature,
    chi_source_compiled,
    log_rate,
    log_rate_chi_slope,
    pack,
)

MAX_ITERATIONS = 200
_RTOL = 1e-14
X_TINY = 1e-300
"""Smallest plastic increment Δγ the solver represents; below it a step is elastic."""


@njit(cache=True)
def chi_after_work(work, chi_n, relax, law):
    """χ (K) at the end of a step and dχ/d(work) (K): backward Euler on the linear χ source,
    c₀(χ − χₙ) = work·(χ∞ − χ) + relax·(χ_T − χ), with work = (plastic work)/s_χ and
    relax = c₀Δt/t_r (both dimensionless), solved exactly in increment form."""
    source, slope = chi_source_compiled(chi_n, work, relax, law)
    den = law.c0 - slope
    # increment form: exactly χₙ when nothing happens; the clip only removes round-off
    chi = chi_n + source / den
    chi_t = law.chi_T if relax > 0.0 else chi_n
    if not math.isfinite(chi):
        # work or relax overflowed (inf/inf): χ is at the target of the larger one
        return (law.chi_inf if work >= relax else chi_t), 0.0
    chi = min(max(chi, min(chi_n, law.chi_inf, chi_t)), max(chi_n, law.chi_inf, chi_t))
    return chi, (law.chi_inf - chi) / den


@njit(cache=True)
def chi_of_increment(x, sbar_tr, chi_n, relax, law):
    """χ(Δγ) (K) at the end of the step and its derivatives with respect to Δγ and s̄_tr
    (``chi_after_work`` with the plastic work 2Δγ·s̄ of the radial return)."""
    two_g = 2.0 * law.G
    sbar = sbar_tr - two_g * x
    chi, k = chi_after_work(2.0 * x * sbar / law.s_chi, chi_n, relax, law)
    return chi, k * 2.0 * (sbar - two_g * x) / law.s_chi, k * 2.0 * x / law.s_chi


@njit(cache=True)
def tau_slope(law):
    """−dτ/dΔγ = 2(G + αβK), Pa: the deviatoric return and the pressure that dilatancy adds
    (exactly 2G for β = 0)."""
    if law.beta == 0.0:
        return 2.0 * law.G
    return 2.0 * (law.G + law.alpha * law.beta * law.K)


@njit(cache=True)
def _residual(x, sbar_tr, tau_shift, chi_n, log_dt, relax, law):
    """φ(Δγ), dφ/dΔγ, χ and the partial derivatives the tangent needs (dφ/ds̄_tr, dφ/dp_tr)."""
    chi, dchi_dx, dchi_ds = chi_of_increment(x, sbar_tr, chi_n, relax, law)
    slope = tau_slope(law)
    tau = sbar_tr - slope * x + tau_shift
    log_d, l_tau = log_rate(tau, chi, law)
    if log_d == -math.inf:
        return math.inf, math.nan, chi, 0.0, 0.0, 0.0
    l_chi = log_rate_chi_slope(tau, l_tau, chi, law)
    phi = math.log(x) - log_dt - log_d
    dphi_dx = 1.0 / x + slope * l_tau - l_chi * dchi_dx
    dphi_ds = -l_tau - l_chi * dchi_ds
    return phi, dphi_dx, chi, dphi_ds, law.alpha * l_tau, log_d


@njit(cache=True)
def _bracket(sbar_tr, tau_shift, chi_n, log_dt, log_d0, relax, law):
    """The first bracket [lo, hi] of Δγ and φ, dφ/dΔγ, χ and the tangent partials at hi.

    The explicit estimate Δt·D_trial bounds the root from above when D falls with Δγ; where
    softening (χ rising) outpaces the stress drop, the bracket widens to s̄ = 0. An estimate
    below X_TINY (D·Δt underflows: cold bath, huge barrier) is raised to X_TINY, so that
    log Δγ and 1/Δγ stay finite; the caller takes φ(X_TINY) > 0 as an elastic step.
    """
    x_max = sbar_tr / (2.0 * law.G)
    hi = min(max(math.exp(min(log_dt + log_d0, 700.0)), X_TINY), x_max)
    phi, dphi, chi, dphi_ds, dphi_dp, _ = _residual(
        hi, sbar_tr, tau_shift, chi_n, log_dt, relax, law
    )
    lo = 0.0
    if phi < 0.0 and hi < x_max:
        lo, hi = hi, x_max
        phi, dphi, chi, dphi_ds, dphi_dp, _ = _residual(
            hi, sbar_tr, tau_shift, chi_n, log_dt, relax, law
        )
    return lo, hi, phi, dphi, chi, dphi_ds, dphi_dp


@njit(cache=True)
def _next_iterate(lo, hi, x_f, phi_f, dphi_f):
    """Newton's step from the latest finite point, else Newton in log Δγ, else bisection;
    always strictly inside (lo, hi) and not below X_TINY."""
    candidate = math.nan
    if dphi_f > 0.0:
        candidate = x_f - phi_f / dphi_f
        if not lo < candidate < hi:
            # Newton in log Δγ never leaves (0, ∞): the right step for D ∝ Δγ⁰.
            candidate = x_f * math.exp(max(-phi_f / (x_f * dphi_f), -700.0))
    if not lo < candidate < hi:
        candidate = math.sqrt(lo * hi) if lo > 0.0 and hi > 4.0 * lo else 0.5 * (lo + hi)
    return max(candidate, X_TINY)


@njit(cache=True)
def solve_increment(sbar_tr, pressure, chi_n, dt, law):
    """Δγ (dimensionless), χ (K), dΔγ/ds̄_tr (1/Pa), dΔγ/dp_tr (1/Pa) and the iteration count,
    at trial equivalent shear stress s̄_tr and trial pressure p_tr = ``pressure`` (Pa).

    Δγ = 0 (an elastic step) where D = 0, or where even Δγ = X_TINY would overshoot the root:
    the increment is then below 1e-300, zero to double precision.
    """
    relax = law.c0 * dt * law.relax_rate
    tau_shift = -law.alpha * pressure
    log_dt = math.log(dt)
    chi_elastic, _, _ = chi_of_increment(0.0, sbar_tr, chi_n, relax, law)
    log_d0, _ = log_rate(sbar_tr + tau_shift, chi_elastic, law)
    if log_d0 == -math.inf or not sbar_tr > 2.0 * law.G * X_TINY:
        return 0.0, chi_elastic, 0.0, 0.0, 0
    lo, hi, phi, dphi, chi, dphi_ds, dphi_dp = _bracket(
        sbar_tr, tau_shift, chi_n, log_dt, log_d0, relax, law
    )
    if phi < 0.0 or (phi == 0.0 and lo > 0.0):
        # Flow faster than the step can follow even at s̄ = 0: full deviatoric relaxation.
        return hi, chi, 1.0 / (2.0 * law.G), 0.0, 1
    # Newton steps start from the latest point where φ is finite: near the STZ yield stress
    # φ jumps to +inf (D = 0), and those points only tighten the bracket.
    x, x_f, phi_f, dphi_f = hi, hi, phi, dphi
    iterations = 1
    while iterations < MAX_ITERATIONS:
        if hi <= X_TINY:
            return 0.0, chi_elastic, 0.0, 0.0, iterations
        # φ is a relative residual whose round-off floor scales with Δγ·dφ/dΔγ.
        if abs(phi) <= _RTOL * max(1.0, x * dphi) or hi - lo <= _RTOL * hi:
            break
        x = _next_iterate(lo, hi, x_f, phi_f, dphi_f)
        phi, dphi, chi, dphi_ds, dphi_dp, _ = _residual(
            x, sbar_tr, tau_shift, chi_n, log_dt, relax, law
        )
        iterations += 1
        if phi > 0.0:
            hi = x
        else:
            lo = x
        if phi < math.inf and dphi > 0.0:
            x_f, phi_f, dphi_f = x, phi, dphi
    if not 0.0 < dphi < math.inf:
        return x, chi, 0.0, 0.0, iterations
    return x, chi, -dphi_ds / dphi, -dphi_dp / dphi, iterations


@njit(cache=True)
def _tangent(out, s_tr, sbar_tr, x, dx_ds, dx_dp, g, k_bulk, beta):
    """dσ/dε (Pa, Mandel) of one point: elastic, minus the return's dependence on the trial
    stress, with Δγ(s̄_tr, p_tr) from the implicit function theorem. Not symmetric for α > 0
    or β > 0 (non-associated flow, and the χ coupling once the pressure enters).

    σ = s_tr(1 − 2GΔγ/s̄_tr) − (p_tr + 2KβΔγ)I with dΔγ/dε = (G dx_ds/s̄_tr) s_tr − K dx_dp I.
    """
    scale = x / sbar_tr if x > 0.0 else 0.0
    shear = 2.0 * g * (1.0 - 2.0 * g * scale)
    nn = 2.0 * g * g * (scale - dx_ds) / sbar_tr**2 if x > 0.0 else 0.0
    ni = 2.0 * g * k_bulk * dx_dp / sbar_tr if x > 0.0 else 0.0
    # dilatancy: −2Kβ I ⊗ dΔγ/dε
    i_n = -2.0 * k_bulk * beta * g * dx_ds / sbar_tr if x > 0.0 else 0.0
    ii = 2.0 * k_bulk * k_bulk * beta * dx_dp if x > 0.0 else 0.0
    for a in range(6):
        for b in range(6):
            vol = (k_bulk - shear / 3.0) if (a < 3 and b < 3) else 0.0
            value = vol + (shear if a == b else 0.0) + nn * s_tr[a] * s_tr[b]
            out[a, b] = value + (ni * s_tr[a] if b < 3 else 0.0)
            if beta != 0.0 and a < 3:
                out[a, b] += i_n * s_tr[b] + (ii if b < 3 else 0.0)


@njit(cache=True)
def update_points(eps, epsp_n, chi_n, dt, law, sigma, epsp, chi, rate, tangent,
                  temperature):
    """Backward-Euler update of n points, written into the output arrays.

    A point whose trial stress is not finite (|s| beyond ~1e154 Pa, or a NaN strain) or whose
    χ is not positive gets NaN outputs: no physical step reaches it, and the finite-element
    solver takes the NaN residual as a failed step and cuts the time step.

    Args:
        eps: (n, 6) total strain at the end of the step, Mandel.
        epsp_n, chi_n: (n, 6) plastic strain and (n,) χ (K) at the start of the step.
        dt: step, s (> 0).
        law: the material's constants (``stz.pack``).
        sigma, epsp, chi, rate: outputs (n, 6) Pa, (n, 6), (n,) K, (n,) plastic rate D in 1/s.
        tangent: (n, 6, 6) algorithmic tangent dσ/dε in Pa, or an empty array to skip it.
        temperature: (n,) temperature T of each point during the step, K (docs/model.md
            §3.1), or an empty array for the bath temperature ``law.T`` everywhere.

    Returns:
        The largest number of scalar iterations any point needed.
    """
    g = law.G
    k_bulk = law.K
    with_tangent = tangent.shape[0] > 0
    worst = 0
    s_tr = np.empty(6)
    beta = law.beta
    heated = temperature.shape[0] > 0
    for i in range(eps.shape[0]):
        trace = eps[i, 0] + eps[i, 1] + eps[i, 2]
        # the elastic volume strain; with β = 0, tr εᵖ is round-off and stays out
        trace_p = epsp_n[i, 0] + epsp_n[i, 1] + epsp_n[i, 2] if beta != 0.0 else 0.0
        pressure = -k_bulk * (trace - trace_p)
        sq = 0.0
        for j in range(6):
            dev = eps[i, j] - ((trace - trace_p) / 3.0 if j < 3 else 0.0)
            s_tr[j] = 2.0 * g * (dev - epsp_n[i, j])
            sq += s_tr[j] * s_tr[j]
        sbar_tr = math.sqrt(0.5 * sq)
        if not (math.isfinite(sbar_tr) and math.isfinite(pressure) and chi_n[i] > 0.0):
            fail_point(i, sigma, epsp, chi, rate, tangent, with_tangent)
            continue
        point_law = at_temperature(law, temperature[i]) if heated else law
        x, chi[i], dx_ds, dx_dp, its = solve_increment(
            sbar_tr, pressure, chi_n[i], dt, point_law)
        worst = max(worst, its)
        scale = x / sbar_tr if x > 0.0 else 0.0
        dilation = 2.0 * beta * x / 3.0  # each normal component of (2β/3)Δγ I
        p_end = pressure + 3.0 * k_bulk * dilation if beta != 0.0 else pressure
        for j in range(6):
            plastic = scale * s_tr[j]
            epsp[i, j] = epsp_n[i, j] + plastic + (dilation if j < 3 else 0.0)
            sigma[i, j] = s_tr[j] - 2.0 * g * plastic - (p_end if j < 3 else 0.0)
        rate[i] = x / dt
        if with_tangent:
            _tangent(tangent[i], s_tr, sbar_tr, x, dx_ds, dx_dp, g, k_bulk, beta)
    return worst


@njit(cache=True)
def fail_point(i, sigma, epsp, chi, rate, tangent, with_tangent):
    """NaN outputs at point i: the flag of a state the update cannot take."""
    sigma[i, :] = math.nan
    epsp[i, :] = math.nan
    chi[i] = math.nan
    rate[i] = math.nan
    if with_tangent:
        tangent[i, :, :] = math.nan


@dataclass(frozen=True)
class UpdateResult:
    """End-of-step state of n points: stress (n, 6) Pa, plastic strain (n, 6) (Mandel),
    χ (n,) K, plastic rate D (n,) 1/s, tangent (n, 6, 6) Pa or None, and the largest
    number of scalar iterations."""

    stress: np.ndarray
    plastic_strain: np.ndarray
    chi: np.ndarray
    rate: np.ndarray
    tangent: np.ndarray | None
    iterations: int


def integrate(
    params: MaterialParameters | Law,
    strain: np.ndarray,
    plastic_strain: np.ndarray,
    chi: np.ndarray,
    dt: float,
    with_tangent: bool = True,
    temperature: np.ndarray | None = None,
) -> UpdateResult:
    """Backward-Euler update of n points (allocating outputs); see ``update_points``.

    Args:
        params: material parameters, or their constants from ``stz.pack``.
        strain: (n, 6) total strain at the end of the step, Mandel.
        plastic_strain: (n, 6) plastic strain at the start, Mandel.
        chi: (n,) effective temperature at the start, K.
        dt: time step, s (> 0).
        temperature: (n,) temperature of each point, K (None: the bath temperature).
    """
    if not dt > 0.0:
        raise ValueError(f"time step must be > 0 s, got {dt!r}")
    law = pack(params) if isinstance(params, MaterialParameters) else params
    eps = np.ascontiguousarray(strain, dtype=float).reshape(-1, 6)
    n = eps.shape[0]
    epsp_n = np.ascontiguousarray(plastic_strain, dtype=float).reshape(n, 6)
    chi_n = np.ascontiguousarray(np.broadcast_to(chi, (n,)), dtype=float)
    out = UpdateResult(
        np.empty((n, 6)), np.empty((n, 6)), np.empty(n), np.empty(n),
        np.empty((n, 6, 6)) if with_tangent else None, 0,
    )
    worst = update_points(
        eps, epsp_n, chi_n, float(dt), law, out.stress, out.plastic_strain, out.chi, out.rate,
        out.tangent if with_tangent else np.empty((0, 6, 6)),
        np.empty(0) if temperature is None
        else np.ascontiguousarray(np.broadcast_to(temperature, (n,)), dtype=float),
    )
    return UpdateResult(
        out.stress, out.plastic_strain, out.chi, out.rate, out.tangent, int(worst)
    )
