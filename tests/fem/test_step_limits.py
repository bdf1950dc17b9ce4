"""The step limits follow the physics: stress increments count in proportion to the plastic
increment of each point (an elastic step is exact at any size)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from stz_fem.cases import Solver
from stz_fem.fem.step_limits import step_ratios
from stz_fem.material import load


def _solver(sbar_end: np.ndarray, rate: np.ndarray) -> SimpleNamespace:
    n = rate.size
    stress = np.zeros((n, 6))
    stress[:, 3] = np.sqrt(2.0) * sbar_end  # pure shear: s̄ = |σ₁₂|, Mandel σ₄ = √2 σ₁₂
    chi = np.full(n, 600.0)
    return SimpleNamespace(stress=stress, rate=rate, state=SimpleNamespace(chi=chi),
                           trial=SimpleNamespace(chi=chi.copy()),
                           global_max=lambda v: float(np.max(v)) if v.size else -math.inf)


def test_the_stress_limit_weighs_by_the_plastic_increment():
    params, limits, dt = load("vitreloy1"), Solver(), 1.0
    scale = params.chi_stress_scale
    full = limits.plastic_increment / (2 * dt)  # D of a plastic increment at its limit
    # a point loaded elastically by half the yield stress in one step: no limit
    elastic = _solver(np.array([0.5 * scale]), np.array([0.0]))
    assert step_ratios(elastic, np.zeros(1), dt, limits, params) == {
        "chi": 0.0, "plastic": 0.0, "stress": 0.0}
    # at the full plastic increment (and beyond) the stress limit is the plain one
    for factor in (1.0, 3.0):
        flowing = _solver(np.array([0.5 * scale, 0.04 * scale]), np.array([0.0, factor * full]))
        ratios = step_ratios(flowing, np.zeros(2), dt, limits, params)
        assert ratios["stress"] == pytest.approx(0.04 / limits.stress_increment)
        assert ratios["plastic"] == pytest.approx(factor)
    # a tenth of it: a tenth of the weight
    barely = _solver(np.array([0.04 * scale]), np.array([0.1 * full]))
    assert step_ratios(barely, np.zeros(1), dt, limits, params)["stress"] == pytest.approx(
        0.1 * 0.04 / limits.stress_increment)


def test_the_step_where_flow_starts_takes_the_plain_stress_limit():
    """So the onset of flow is resolved as finely as with small elastic steps."""
    params, limits, dt = load("vitreloy1"), Solver(), 1.0
    scale = params.chi_stress_scale
    barely = _solver(np.array([0.5 * scale, 0.04 * scale]), np.array([0.0, 1e-6]))
    ratios = step_ratios(barely, np.zeros(2), dt, limits, params, onset=True)
    assert ratios["stress"] == pytest.approx(0.04 / limits.stress_increment)
