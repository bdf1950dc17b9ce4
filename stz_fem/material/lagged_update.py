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
from stz_fem.material.dense_solve import lu_factor, lu_solve
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
    differentiated through s̄, n̂, the plastic work and χ. Returns χ (K) at the end of the step.
    Allocates nothing (it runs a few times per point and Newton iteration): n̂ is kept in
    ``M`` until M itself is written."""
    G = law.G
    sq = 0.0
    work = 0.0
    for j in range(6):
        s_j = s_tr[j] - 2.0 * G * E[j]
        sq += s_j * s_j
        work += s_j * E[j]
    sbar = math.sqrt(0.5 * sq)
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
    n = M
    for j in range(6):
        n[j] = (s_tr[j] - 2.0 * G * E[j]) / sbar if sbar > 0.0 else 0.0
        R[j] = E[j] - phi * (psi * n[j] - M_n[j])
    if J.shape[0] > 0:
        if sbar == 0.0:  # no stress, no direction: the identity is all that is left
            for i in range(6):
                for j in range(6):
                    J[i, j] = 1.0 if i == j else 0.0
                    dR_ds[i, j] = 0.0
        else:
            flowing = 1.0 if work > 0.0 else 0.0
            terms = (chi, f, c, bias, dc, dbias, lam, dchi_dwork, g, B, phi, psi, den_g,
                     sbar, dt, tau0)
            # d/dE: ds̄ = −G n̂·dE, dn̂ = −(2G/s̄)(I − ½n̂n̂)dE, dw = (s_tr − 4GE)·dE
            _chain(J, 1.0, -G, flowing, -4.0 * G * flowing, -2.0 * G / sbar, n, s_tr, E, M_n,
                   terms, law)
            # d/ds_tr: ds̄ = ½n̂·ds, dn̂ = (I − ½n̂n̂)ds/s̄, dw = E·ds
            _chain(dR_ds, 0.0, 0.5, 0.0, flowing, 1.0 / sbar, n, s_tr, E, M_n, terms, law)
    for j in range(6):
        M[j] = (M_n[j] + a * bias * n[j]) / B  # n is M: element j is read before it is written
    return chi


@njit(cache=True)
def _chain(out, identity, g_sbar, p, q, n_factor, n, s_tr, E, M_n, terms, law):
    """One Jacobian block of R by the chain rule through χ, f, C, 𝒯, Λ, k, a, g, from the
    gradient of s̄, g_sbar·n̂, of the plastic work, p·s_tr + q·E, and dn̂ = n_factor·(I − ½n̂n̂)·d(·).
    Every gradient on the way is a combination of those two vectors, so each is carried as its
    two coefficients (_s along n̂, _w along the work's gradient)."""
    chi, f, c, bias, dc, dbias, lam, dchi_dwork, g, B, phi, psi, den_g, sbar, dt, tau0 = terms
    chi_w = dchi_dwork / law.s_chi
    logf_w = -(law.k_chi / law.T_Z) * chi_w  # of log f (f itself may be near underflow)
    tau_s, tau_w = g_sbar / f, -(sbar / f) * logf_w
    lam_w = lam * law.T_Z / (chi * chi) * chi_w
    k_s = (dt / tau0) * lam * dc * tau_s
    k_w = (dt / tau0) * (lam * dc * tau_w + c * lam_w)
    a_scale = 2.0 * dt / (law.eps_a * tau0)
    g_w = 1.0 / den_g - g * (lam_w / lam + logf_w)
    phi_s = (k_s - phi * a_scale * dc * tau_s) / B
    phi_w = (k_w - phi * (a_scale * dc * tau_w + g_w)) / B
    psi_s = (1.0 + g) * dbias * tau_s
    psi_w = bias * g_w + (1.0 + g) * dbias * tau_w
    for i in range(6):
        lead = psi * n[i] - M_n[i]
        for j in range(6):
            work_j = p * s_tr[j] + q * E[j]
            projector = (1.0 if i == j else 0.0) - 0.5 * n[i] * n[j]
            out[i, j] = ((identity if i == j else 0.0)
                         - lead * (phi_s * n[j] + phi_w * work_j)
                         - phi * n[i] * (psi_s * n[j] + psi_w * work_j)
                         - phi * psi * n_factor * projector)


@njit(cache=True)
def solve_point(s_tr, M_n, chi_n, dt, law, E, M, J, dR_ds, work, pivots):
    """E = Δεᵖ, M (written into the arrays) and χ at the end of the step, and ∂R/∂E, ∂R/∂s_tr
    there in J, dR_ds; ``work`` ((12, 6), rows 0–5 an LU factor) and ``pivots`` (int, 6) are
    scratch space, so that the loop over points allocates nothing.
    Returns (χ, iterations); iterations < 0: no convergence."""
    lu, R, step, R_try, M_try, E_try = work[:6], work[6], work[7], work[8], work[9], work[10]
    m_par, m_new = work[11, :1], work[11, 1:2]
    no_block = work[:0]
    relax = law.c0 * dt * law.relax_rate
    sbar_tr = math.sqrt(0.5 * np.dot(s_tr, s_tr))
    # start: the scalar solution along s_tr with Mₙ's component along it
    if sbar_tr > 0.0:
        m_par[0] = 0.5 * np.dot(M_n, s_tr) / sbar_tr
        x, _ = shear_increment(sbar_tr, chi_n, m_par, dt, law, m_new)
        E[:] = x * s_tr / sbar_tr
    else:
        E[:] = 0.0
    # strain scale of the problem: the trial stress (or s_y) in strain
    strain_scale = max(sbar_tr, law.s_y) / (2.0 * law.G)
    chi = _residual(E, s_tr, M_n, chi_n, dt, relax, law, R, M, J, dR_ds)
    for iteration in range(MAX_ITERATIONS):
        norm = math.sqrt(np.dot(R, R))
        # R is a strain: converged at round-off of E (or of the trial strain, for E ≈ 0)
        if norm <= _RTOL * max(math.sqrt(np.dot(E, E)), 1e-6 * strain_scale):
            return chi, iteration
        lu[:] = J
        if not lu_factor(lu, pivots):
            return chi, -1
        for j in range(6):
            step[j] = -R[j]
        lu_solve(lu, pivots, step)
        lam = 1.0
        decreased = False
        for _ in range(40):
            for j in range(6):
                E_try[j] = E[j] + lam * step[j]
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
    (as ``update.update_points``, plus M: (n, 6) at the start ``M_n``, at the end ``M``; two
    arrays, not one updated in place: a point's M holds its flow direction while it is solved).
    Returns the largest Newton iteration count, −1 if a point did not converge (its outputs
    are then NaN, which the finite-element solver takes as a failed step)."""
    G, K = law.G, law.K
    with_tangent = tangent.shape[0] > 0
    worst = 0
    s_tr = np.empty(6)
    E = np.empty(6)
    J = np.empty((6, 6))
    dR_ds = np.empty((6, 6))
    work = np.empty((12, 6))
    pivots = np.empty(6, dtype=np.int64)
    for i in range(eps.shape[0]):
        trace = eps[i, 0] + eps[i, 1] + eps[i, 2]
        pressure = -K * trace
        for j in range(6):
            s_tr[j] = 2.0 * G * (eps[i, j] - (trace / 3.0 if j < 3 else 0.0) - epsp_n[i, j])
        chi_i, its = solve_point(s_tr, M_n[i], chi_n[i], dt, law, E, M[i], J, dR_ds, work,
                                 pivots)
        if with_tangent and its >= 0 and not _tangent(tangent[i], law, J, dR_ds, work[:6],
                                                      pivots):
            its = -1
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
    return worst


@njit(cache=True)
def _tangent(out, law, J, dR_ds, lu, pivots):
    """dσ/dε = K I⊗I + 2G P − 2G·dE/dε with dE/dε = −J⁻¹(∂R/∂s_tr)·2G P, P the deviatoric
    projector (ds_tr/dε = 2G P); ``dR_ds`` is overwritten and ``lu`` (6×6) is scratch.
    Returns False where J is singular."""
    G, K = law.G, law.K
    lu[:] = J
    if not lu_factor(lu, pivots):
        return False
    lu_solve(lu, pivots, dR_ds)
    dE_ds = dR_ds
    for a in range(6):
        for b in range(6):
            # column b of P is e_b − (1/3)[b < 3](1, 1, 1, 0, 0, 0); dE/ds_tr = −J⁻¹∂R/∂s_tr
            dev = dE_ds[a, b] - (dE_ds[a, 0] + dE_ds[a, 1] + dE_ds[a, 2]) / 3.0 if b < 3 \
                else dE_ds[a, b]
            p_ab = (1.0 if a == b else 0.0) - (1.0 / 3.0 if (a < 3 and b < 3) else 0.0)
            out[a, b] = (K if (a < 3 and b < 3) else 0.0) + 2.0 * G * p_ab + 4.0 * G * G * dev
    return True


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
