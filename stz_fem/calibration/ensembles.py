"""Replica ensembles of held-out curves: MD samples of one condition scored by their mean.

A 2000-atom MD curve is one sample of a noisy process: runs of the same glass protocol and
condition (other melt seeds, other shear velocities) differ by ~0.1 GPa after yield. Held-out
curves that share glass label, loading, rate and temperature are replicas of one condition; the
model is scored against their mean (each replica's prediction from its own χ₀, then averaged),
and the replicas' scatter about that mean is reported beside it as the noise floor a single
curve cannot beat (docs/model.md §5, "Scoring against replicas").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stz_fem.calibration.curves import DataCurve


@dataclass(frozen=True)
class Ensemble:
    """The mean of replica curves on a common strain grid, and the mean of their models.

    ``curve`` carries the first member's spec (its path a label), the common strain and the
    mean stress (Pa);
    ``model`` is the mean model stress (Pa) there; ``members`` index the replicas in the list
    they came from; ``scatter`` and ``standard_error`` are relative to the mean curve's peak.
    """

    curve: DataCurve
    model: np.ndarray
    members: tuple[int, ...]
    replicas: np.ndarray
    """Replica stresses (Pa) on the common grid, shape (n, points)."""

    @property
    def scatter(self) -> float:
        """RMS of (replica − mean) over replicas and points, relative to the mean's peak:
        the typical error of a perfect model against one replica."""
        n = len(self.members)
        deviation = self.replicas - self.curve.stress
        return float(np.sqrt(np.sum(deviation**2) / ((n - 1) * deviation.shape[1]))
                     / self.curve.peak)

    @property
    def standard_error(self) -> float:
        """Scatter of the ensemble mean itself, relative to its peak (scatter / √n)."""
        return self.scatter / np.sqrt(len(self.members))


def condition_key(curve: DataCurve) -> tuple:
    """What makes two curves replicas: glass label, loading, rate (1/s) and temperature (K)."""
    spec = curve.spec
    return (spec.glass, spec.loading, spec.rate, spec.temperature)


def condition_groups(curves: list[DataCurve]) -> list[tuple[int, ...]]:
    """Indices of the curves of each condition, in order of first appearance (curves without
    a glass label stand alone: nothing says they are one glass)."""
    groups: dict[tuple, list[int]] = {}
    for k, curve in enumerate(curves):
        key = condition_key(curve) if curve.spec.glass is not None else (k,)
        groups.setdefault(key, []).append(k)
    return [tuple(g) for g in groups.values()]


def replica_groups(curves: list[DataCurve]) -> list[tuple[int, ...]]:
    """The ``condition_groups`` with ≥ 2 curves: replicas of one condition."""
    return [g for g in condition_groups(curves) if len(g) > 1]


def replica_mean(curves: list[DataCurve], models: list[np.ndarray], members: tuple[int, ...]
             ) -> Ensemble:
    """The ensemble of ``curves[members]``: data and models interpolated onto the first
    member's strain points inside the strain range all members cover, then averaged."""
    first = curves[members[0]]
    lo = max(float(curves[k].strain.min()) for k in members)
    hi = min(float(curves[k].strain.max()) for k in members)
    grid = first.strain[(first.strain >= lo) & (first.strain <= hi)]
    replicas = np.array([np.interp(grid, curves[k].strain, curves[k].stress) for k in members])
    predictions = np.array([np.interp(grid, curves[k].strain, models[k]) for k in members])
    # named for figures and messages ("q1e14: mean of 4 replicas"), not a file
    label = Path(f"{first.spec.glass}: mean of {len(members)} replicas")
    mean = DataCurve(first.spec.model_copy(update={"path": label}), grid, replicas.mean(axis=0))
    return Ensemble(mean, predictions.mean(axis=0), members, replicas)
