"""Backward-Euler update of material points with the orientation lag (docs/model.md §2.4), m a
deviatoric tensor M (Mandel, same normalization as s/s̄, so M = m·s/s̄ in proportional loading):

    ε̇ᵖ = (ΛC(s̄)/τ₀)(𝒯(s̄) n̂ − M),   Ṁ = (2C/(ε_aτ₀))(𝒯n̂ − M) − M·(s:ε̇ᵖ)₊/(ε_aΛs_y),
    n̂ = s/s̄,

which is the scalar law of ``orientation`` when M stays parallel to s. Over a step, with the
plastic increment E = Δεᵖ as the unknown, M is linear in M:

    M = (Mₙ + a𝒯n̂)/(1 + a + g),   a = 2ΔtC/(ε_aτ₀),   g = (s:E)₊/(ε_aΛ f s_y),

so the update solves the six equations R(E) = E − k(𝒯n̂ − M(E)) = 0 (k = ΔtΛC/τ₀, s = s_tr − 2GE,
χ from the plastic work s:E) by Newton's method from the scalar solution along the trial stress
(exact when Mₙ ∥ s_tr), with the analytic Jacobian and a backtracking step. The tangent
dσ/dε follows from the same derivatives (implicit function theorem). Pressure-insensitive,
non-dilatant flow only (α = β = 0), one barrier (no spread) and no heating, as
``require_supported`` checks.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numba import njit

from stz_fem.errors import InputError
from stz_fem.material.orientation import rate_factors, shear_increment
from stz_fem.material.parameters import MaterialParameters
from stz_fem.material.stz import Law, softening
from stz_fem.material.update import UpdateResult, chi_after_work, fail_point

MAX_ITERATIONS = 50
_RTOL = 1e-12


@njit(cache=True)
def _residual(E, s_tr, M_n, chi_n, dt, relax, law, R, M, J, dR_ds):
    """R(E) = E − φ(ψn̂ − Mₙ) into ``R`` (φ = k/B, ψ = (1 + g)𝒯, B = 1 + a + g) and M(E) into
    ``M`` (Mandel); with non-empty ``J`` and ``dR_ds`` also ∂R/∂E and ∂R/∂s_tr (6×6),
    differentiated through s̄, n̂, the plastic work and χ. Returns χ (K) at the end of the step."""
    G = law.G
    s = s_tr - 2.0 * G * E
    sbar = math.sqrt(0.5 * np.dot(s, s))
    work = np.dot(s, E)
    w = max(work, 0.0)
    chi, dchi_dwork = chi_after_work(w / law.s_chi, chi_n, relax, law)
    f = softening(chi, law)
    c, bias, dc, dbias = rate_factors(sbar / f, law, law.b0)
    lam = math.exp(-law.T_Z / chi)
    tau0 = math.exp(law.log_tau0)
    k = dt * lam * c / tau0
    a = 2.0 * dt * c / (law.eps_a * tau0)
    den_g = law.eps_a * lam * f * law.s_y
    g = w / den_g
    B = 1.0 + a + g
    phi = k / B
    psi = (1.0 + g) * bias
    n = s / sbar if sbar > 0.0 else np.zeros(6)
    for j in range(6):
        M[j] = (M_n[j] + a * bias * n[j]) / B
        R[j] = E[j] - phi * (psi * n[j] - M_n[j])
    if J.shape[0] == 0 or sbar == 0.0:
        if J.shape[0] > 0:  # no stress, no direction: the identity is all that is left
            J[:] = np.eye(6)
            dR_ds[:] = 0.0
        return chi
    flowing = 1.0 if work > 0.0 else 0.0
    # d/dE: ds = −2G dE, ds̄ = −G n̂·dE, dn̂ = −(2G/s̄)(I − ½n̂n̂)dE, dw = (s − 2GE)·dE
    _chain(J, 1.0, -G * n, flowing * (s - 2.0 * G * E), -2.0 * G / sbar, n, M_n, chi, f, c,
           bias, dc, dbias, lam, dchi_dwork, k, a, g, B, phi, psi, den_g, sbar, dt, tau0, law)
    # d/ds_tr: ds̄ = ½n̂·ds, dn̂ = (I − ½n̂n̂)ds/s̄, dw = E·ds
    _chain(dR_ds, 0.0, 0.5 * n, flowing * E, 1.0 / sbar, n, M_n, chi, f, c, bias, dc, dbias,
           lam, dchi_dwork, k, a, g, B, phi, psi, den_g, sbar, dt, tau0, law)
    return chi


@njit(cache=True)
def _chain(out, identity, g_sbar, g_work, n_factor, n, M_n, chi, f, c, bias, dc, dbias, lam,
           dchi_dwork, k, a, g, B, phi, psi, den_g, sbar, dt, tau0, law):
    """One Jacobian block of R from the gradients of s̄ and of the plastic work (6-vectors) and
    dn̂ = n_factor·(I − ½n̂n̂)·d(·), by the chain rule through χ, f, C, 𝒯, Λ, k, a, g."""
    g_chi = (dchi_dwork / law.s_chi) * g_work
    g_f = -(law.k_chi * f / law.T_Z) * g_chi
    g_tau = g_sbar / f - (sbar / (f * f)) * g_f
    g_c = dc * g_tau
    g_bias = dbias * g_tau
    g_lam = lam * law.T_Z / (chi * chi) * g_chi
    g_k = (dt / tau0) * (lam * g_c + c * g_lam)
    g_a = (2.0 * dt / (law.eps_a * tau0)) * g_c
    g_g = g_work / den_g - g * (g_lam / lam + g_f / f)
    g_phi = (g_k - phi * (g_a + g_g)) / B
    g_psi = bias * g_g + (1.0 + g) * g_bias
    for i in range(6):
        lead = psi * n[i] - M_n[i]
        for j in range(6):
            projector = (1.0 if i == j else 0.0) - 0.5 * n[i] * n[j]
            out[i, j] = ((identity if i == j else 0.0) - lead * g_phi[j]
                         - phi * n[i] * g_psi[j] - phi * psi * n_factor * projector)


@njit(cache=True)
def solve_point(s_tr, M_n, chi_n, dt, law, E, M, J, dR_ds):
    """E = Δεᵖ, M (written into the arrays) and χ at the end of the step, and ∂R/∂E, ∂R/∂s_tr
    there in J, dR_ds.
    Returns (χ, iterations); iterations < 0: no convergence."""
    relax = law.c0 * dt * law.relax_rate
    sbar_tr = math.sqrt(0.5 * np.dot(s_tr, s_tr))
    # start: the scalar solution along s_tr with Mₙ's component along it
    m_par = np.zeros(1)
    m_new = np.zeros(1)
    if sbar_tr > 0.0:
        m_par[0] = 0.5 * np.dot(M_n, s_tr) / sbar_tr
        x, _ = shear_increment(sbar_tr, chi_n, m_par, dt, law, m_new)
        E[:] = x * s_tr / sbar_tr
    else:
        E[:] = 0.0
    R = np.empty(6)
    R_try = np.empty(6)
    M_try = np.empty(6)
    E_try = np.empty(6)
    no_block = np.empty((0, 6))
    # strain scale of the problem: the trial stress (or s_y) in strain
    strain_scale = max(sbar_tr, law.s_y) / (2.0 * law.G)
    chi = _residual(E, s_tr, M_n, chi_n, dt, relax, law, R, M, J, dR_ds)
    for iteration in range(MAX_ITERATIONS):
        norm = math.sqrt(np.dot(R, R))
        # R is a strain: converged at round-off of E (or of the trial strain, for E ≈ 0)
        if norm <= _RTOL * max(math.sqrt(np.dot(E, E)), 1e-6 * strain_scale):
            return chi, iteration
        step = np.linalg.solve(J, -R)
        lam = 1.0
        decreased = False
        for _ in range(40):
            E_try[:] = E + lam * step
            _residual(E_try, s_tr, M_n, chi_n, dt, relax, law, R_try, M_try, no_block,
                      no_block)
            if math.sqrt(np.dot(R_try, R_try)) < norm:
                decreased = True
                break
            lam *= 0.5
        if not decreased:
            return chi, -1
        E[:] = E_try
        chi = _residual(E, s_tr, M_n, chi_n, dt, relax, law, R, M, J, dR_ds)
    return chi, -1


@njit(cache=True)
def update_points_lagged(eps, epsp_n, chi_n, M_n, dt, law, sigma, epsp, chi, M, rate,
                         tangent):
    """Backward-Euler update of n points with the orientation lag, written into the outputs
    (as ``update.update_points``, plus M: (n, 6) at the start ``M_n``, at the end ``M``).
    Returns the largest Newton iteration count, −1 if a point did not converge (its outputs
    are then NaN, which the finite-element solver takes as a failed step)."""
    G, K = law.G, law.K
    with_tangent = tangent.shape[0] > 0
    worst = 0
    s_tr = np.empty(6)
    E = np.empty(6)
    J = np.empty((6, 6))
    dR_ds = np.empty((6, 6))
    for i in range(eps.shape[0]):
        trace = eps[i, 0] + eps[i, 1] + eps[i, 2]
        pressure = -K * trace
        for j in range(6):
            s_tr[j] = 2.0 * G * (eps[i, j] - (trace / 3.0 if j < 3 else 0.0) - epsp_n[i, j])
        chi_i, its = solve_point(s_tr, M_n[i], chi_n[i], dt, law, E, M[i], J, dR_ds)
        if its < 0 or not (math.isfinite(chi_i) and chi_n[i] > 0.0):
            fail_point(i, sigma, epsp, chi, rate, tangent, with_tangent)
            M[i, :] = math.nan
            worst = -1
            continue
        if worst >= 0:
            worst = max(worst, its)
        chi[i] = chi_i
        for j in range(6):
            epsp[i, j] = epsp_n[i, j] + E[j]
            sigma[i, j] = s_tr[j] - 2.0 * G * E[j] - (pressure if j < 3 else 0.0)
        rate[i] = math.sqrt(0.5 * np.dot(E, E)) / dt
        if with_tangent:
            _tangent(tangent[i], law, J, dR_ds)
    return worst


@njit(cache=True)
def _tangent(out, law, J, dR_ds):
    """dσ/dε = K I⊗I + 2G P − 2G·dE/dε with dE/dε = −J⁻¹(∂R/∂s_tr)·2G P, P the deviatoric
    projector (ds_tr/dε = 2G P)."""
    G, K = law.G, law.K
    dE_ds = -np.linalg.solve(J, dR_ds)
    for a in range(6):
        for b in range(6):
            # column b of P is e_b − (1/3)[b < 3](1, 1, 1, 0, 0, 0)
            dev = dE_ds[a, b] - (dE_ds[a, 0] + dE_ds[a, 1] + dE_ds[a, 2]) / 3.0 if b < 3 \
                else dE_ds[a, b]
            p_ab = (1.0 if a == b else 0.0) - (1.0 / 3.0 if (a < 3 and b < 3) else 0.0)
            out[a, b] = (K if (a < 3 and b < 3) else 0.0) + 2.0 * G * p_ab - 4.0 * G * G * dev


def require_supported(params: MaterialParameters, heating: str | None = None) -> None:
    """InputError, in one line, for a material with the orientation lag (eps_a > 0) outside
    what the tensor update covers: α, β or a barrier spread, or heating (``heating`` names the
    option that asks for it). Nothing for eps_a = 0."""
    if params.eps_a == 0.0:
        return
    for key, value in (("alpha", params.alpha), ("beta", params.beta),
                       ("barrier_spread", params.barrier_spread)):
        if value != 0.0:
            raise InputError(f"material.{key} = {value:g}: the orientation lag (eps_a > 0) is "
                             f"integrated with {key} = 0 only so far")
    if heating is not None:
        raise InputError(f"material.eps_a = {params.eps_a:g}: the orientation lag (docs/model.md "
                         f"§2.4) is integrated in isothermal runs only so far; {heating} needs "
                         "eps_a = 0")


def integrate_lagged(law: Law, strain: np.ndarray, plastic_strain: np.ndarray, chi: np.ndarray,
                     orientation: np.ndarray, dt: float) -> tuple[UpdateResult, np.ndarray]:
    """Allocating wrapper of ``update_points_lagged`` for n points: the end-of-step state as
    ``update.integrate`` gives it (iterations −1: a point did not converge) and the
    orientation M (n, 6) at the end of the step."""
    eps = np.ascontiguousarray(strain, dtype=float).reshape(-1, 6)
    n = eps.shape[0]
    out = UpdateResult(np.empty((n, 6)), np.empty((n, 6)), np.empty(n), np.empty(n),
                       np.empty((n, 6, 6)), 0)
    m = np.empty((n, 6))
    worst = update_points_lagged(
        eps, np.ascontiguousarray(plastic_strain, dtype=float).reshape(n, 6),
        np.ascontiguousarray(np.broadcast_to(chi, (n,)), dtype=float),
        np.ascontiguousarray(orientation, dtype=float).reshape(n, 6), float(dt), law,
        out.stress, out.plastic_strain, out.chi, m, out.rate, out.tangent)
    return dataclasses.replace(out, iterations=int(worst)), m
