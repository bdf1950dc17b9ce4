"""How far a solved load step went against the accuracy limits of ``[solver]`` (docs/numerics.md,
"Step control"): the ratios the step controller (``stz_fem.step_control``) accepts or cuts by."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from stz_fem.material.mandel import equivalent_shear_stress

if TYPE_CHECKING:
    from stz_fem.cases import Solver
    from stz_fem.fem.solver import MechanicsSolver
    from stz_fem.material import MaterialParameters


def step_ratios(solver: MechanicsSolver, sbar_start: np.ndarray, dt: float, limits: Solver,
                params: MaterialParameters, onset: bool = False) -> dict[str, float]:
    """The largest increments of a solved step over their limits (collective): χ and the
    engineering plastic strain at any point, and the change of s̄ (in units of s_χ) weighted
    at each point by its plastic increment over its limit (capped at 1).

    Backward Euler is exact for an elastic step of any size (below the STZ yield stress D = 0
    and nothing depends on the rate), so where nothing flows the stress needs no limit. Where
    the material flows, a change Δs̄ within the step changes D by about Δs̄ ∂log D/∂s̄, and the
    error of the plastic increment Δεᵖ is about Δεᵖ times that relative change: the product
    (Δs̄/limit)·(Δεᵖ/limit) bounds it. At full plastic increments it is the old stress limit;
    at a point barely flowing, or not at all, the stress may change freely.

    ``onset``: nothing flowed at the start of the step. Then every point that flows at its end
    counts with weight 1, so the step where flow starts changes s̄ there by no more than the
    plain limit, and the onset of plastic flow (the end of that step, as curves and summaries
    report it) is as sharp as with small elastic steps.
    """
    d_chi = solver.global_max(np.abs(solver.trial.chi - solver.state.chi))
    plastic = 2.0 * solver.rate * dt
    d_plastic = solver.global_max(plastic)
    weight = (plastic > 0.0 if onset else np.minimum(plastic / limits.plastic_increment, 1.0))
    d_stress = solver.global_max(
        weight * np.abs(equivalent_shear_stress(solver.stress) - sbar_start))
    return {"chi": d_chi / limits.chi_increment,
            "plastic": d_plastic / limits.plastic_increment,
            "stress": d_stress / params.chi_stress_scale / limits.stress_increment}
