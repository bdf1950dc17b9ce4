"""Compiled homogeneous simple shear: the material-point driver's steps without Python per step.

Simple shear at a constant engineering rate γ̇ has no free strain component and no pressure, so
one step of ``material_point.run`` is one scalar backward-Euler update (``update.solve_increment``)
with s̄_tr = G(γ − γᵖ) (γᵖ the engineering plastic strain, 2Δγ per step). A material with an
orientation lag (eps_a > 0) also carries the STZ orientation m, from 0, through
``orientation.shear_increment`` (the scalar form of ``lagged_update``). This module takes the
same steps with the same controller (``step_control.StepController``), so its curve is that of
``material_point.run`` to round-off (``tests/calibration/test_global_fit.py``), 20–50 times
faster: the fit calls it thousands of times.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from stz_fem.material import MaterialParameters, pack
from stz_fem.material.orientation import classes, shear_increment
from stz_fem.material.stz import Law
from stz_fem.material.update import solve_increment
from stz_fem.material_point import CONTROLLER, StepLimits


@njit(cache=True)
def _shear(law, m_classes, chi0, rate, end, chi_limit, plastic_limit, stress_limit, stress_scale,
           max_steps, accept, safety, max_growth, min_shrink, out_strain, out_stress, out_chi):
    """Fill (strain, stress, χ) rows of the accepted steps; returns the row count (−1: too many
    steps, −2: the step underflowed)."""
    g = law.G
    dt = stress_limit * stress_scale / (2.0 * g * rate)
    t = 0.0
    gamma = 0.0
    gamma_p = 0.0
    chi = chi0
    m = np.zeros(m_classes)  # a quenched glass has no orientation
    m_new = np.zeros(m_classes)
    stress = 0.0
    out_strain[0] = 0.0
    out_stress[0] = 0.0
    out_chi[0] = chi0
    rows = 1
    for _ in range(max_steps):
        dt = min(dt, (end - gamma) / rate)
        trial = gamma + rate * dt
        sbar_tr = g * (trial - gamma_p)
        if law.eps_a > 0.0:
            x, chi_new = shear_increment(sbar_tr, chi, m, dt, law, m_new)
        else:
            x, chi_new, _, _, _ = solve_increment(sbar_tr, 0.0, chi, dt, law)
        new_stress = sbar_tr - 2.0 * g * x
        ratio = max(abs(chi_new - chi) / chi_limit, 2.0 * abs(x) / plastic_limit,
                    abs(new_stress - stress) / stress_scale / stress_limit)
        if not ratio <= accept:
            dt = dt * max(min_shrink, safety / ratio)
            if dt < 1e-30:
                return -2
            continue
        t += dt
        gamma = trial
        gamma_p += 2.0 * x
        chi = chi_new
        m, m_new = m_new, m
        stress = new_stress
        if rows < out_strain.size:
            out_strain[rows] = gamma
            out_stress[rows] = stress
            out_chi[rows] = chi
        rows += 1
        if gamma >= end * (1.0 - 1e-12):
            return rows
        dt = dt * min(max_growth, safety / max(ratio, 1e-3))
    return -1


def shear_response(params: MaterialParameters | Law, chi0: float, rate: float, strain: float,
                   limits: StepLimits, max_steps: int = 200_000,
                   stress_scale: float | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Engineering shear strain γ, stress σ₁₂ (Pa) and χ (K) of each accepted step, from rest to γ =
    ``strain`` at engineering rate ``rate`` (1/s), as ``material_point.run`` gives them.

    Args:
        params: material (or its ``Law``; then ``stress_scale`` = s_χ must be given).
        chi0: initial χ, K.

    Raises:
        RuntimeError: more than ``max_steps`` steps, or the step size underflowed.
    """
    if isinstance(params, MaterialParameters):
        law, stress_scale = pack(params), params.chi_stress_scale
    else:
        law = params
    size = min(max_steps, 20_000) + 1
    while True:
        out_strain, out_stress, out_chi = np.empty(size), np.empty(size), np.empty(size)
        rows = _shear(law, classes(law), float(chi0), float(rate), float(strain), limits.chi,
                      limits.plastic_strain, limits.stress, float(stress_scale), max_steps,
                      CONTROLLER.accept, CONTROLLER.safety, CONTROLLER.max_growth,
                      CONTROLLER.min_shrink, out_strain, out_stress, out_chi)
        if rows < 0:
            raise RuntimeError("simple shear: " + ("not finished after "
                               f"{max_steps} steps" if rows == -1 else "step underflow"))
        if rows <= size:
            return out_strain[:rows], out_stress[:rows], out_chi[:rows]
        size = rows  # more rows than room: run again with room for all (same steps)


def response_at(params: MaterialParameters, chi0: float, rate: float, strains: np.ndarray,
                limits: StepLimits, max_steps: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """σ₁₂ (Pa) and χ (K) at the given engineering shear strains (linear interpolation
    between steps)."""
    end = float(np.max(strains))
    if not end > 0.0:
        return np.zeros_like(strains), np.full_like(strains, chi0)
    gamma, stress, chi = shear_response(params, chi0, rate, end, limits, max_steps)
    return np.interp(strains, gamma, stress), np.interp(strains, gamma, chi)
