"""Least-squares fit of the homogeneous (0-D) STZ-χ model to stress–strain curves.

Each curve is simulated by the material-point driver at its loading, rate and temperature (simple
shear by its compiled copy, ``shear_curve``); the model stress is interpolated linearly at the
data strains. Residual of data point i of curve c:

    r_i = sqrt(w_c) · (σ_model(ε_i) − σ_data(ε_i)) / peak_c,

with peak_c the largest |σ_data| of curve c in its window, so curves at different stress levels
count alike and the residuals are relative errors. Free parameters are scaled for the optimizer:
x = value/initial (linear) or x = ln(value/initial) (log), so every x moves on a scale of one.

Global fit (``[fit] starts > 1``): the cost ½Σr² is evaluated at the initial values and at
``design`` points of a scrambled Sobol sequence (seeded) over the box of bounds; local fits
(scipy's least_squares, trf) start from the ``starts`` cheapest of them that lie apart
(``spread_starts``); the distinct minima are kept, best first. Design points and local fits
are evaluated in ``workers`` processes; each is a deterministic function of its start, so the
result does not depend on the worker count.

With ``[fit] energy_weight`` w_E > 0 and a PE→χ map in the material, each curve with an
energy column adds residuals sqrt(w_c·w_E)·(χ_model(ε_i) − β(U_i − c·k_B·T − U₀)T_Z)/χ∞: the
model's χ along the curve against the map of the MD energy (docs/model.md §5), which anchors
β and U₀ on the rise of the energy under flow as well as on the initial glass.

Per curve, the material is the fitted one at the curve's temperature, with χ₀ from the PE→χ
map of the curve's glass energy when the material has that map (``curve_material``).
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import qmc

from stz_fem.calibration.config import FitConfig, FreeParameter
from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.shear_curve import response_at
from stz_fem.material import MaterialParameters
from stz_fem.material.parameters import K_B_EV
from stz_fem.material_point import Loading, StepLimits, run

SAME_MINIMUM = 1e-3
"""Largest relative parameter difference of two local fits counted as the same minimum."""


@dataclass(frozen=True)
class Minimum:
    """One local fit: its values (SI), cost ½Σr², start (SI) and evaluations."""

    values: np.ndarray
    cost: float
    start: np.ndarray
    evaluations: int
    message: str
    x: np.ndarray = field(repr=False)
    jacobian: np.ndarray = field(repr=False)
    residuals: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class FitResult:
    """Outcome of ``fit_curves``.

    Attributes:
        params: best-fit material (T of the base material).
        free: the free parameters, in the order of ``values`` and of the Jacobian columns.
        values: fitted values, SI units.
        jacobian: d r / d value (residuals per SI unit of each parameter), shape (m, n).
        residuals: weighted relative residuals r at the optimum, shape (m,).
        models: model stress (Pa) at each curve's data strains.
        at_bound: True where a parameter ended within 0.1 % of the range from a bound.
        evaluations: number of residual evaluations (all local fits and the design).
        message: the best local fit's termination message.
        minima: the distinct minima, best first (the first is the optimum).
    """

    params: MaterialParameters
    free: tuple[FreeParameter, ...]
    values: np.ndarray
    jacobian: np.ndarray
    residuals: np.ndarray
    models: list[np.ndarray]
    at_bound: np.ndarray
    evaluations: int
    message: str
    minima: list[Minimum] = field(default_factory=list)


def to_values(free: tuple[FreeParameter, ...], x: np.ndarray) -> np.ndarray:
    """Parameter values (SI) of optimizer variables x."""
    return np.array([
        p.initial * (np.exp(xi) if p.log else xi) for p, xi in zip(free, x, strict=True)
    ])


def to_variables(free: tuple[FreeParameter, ...], values: np.ndarray) -> np.ndarray:
    """Optimizer variables x of parameter values (SI)."""
    return np.array([
        np.log(v / p.initial) if p.log else v / p.initial for p, v in zip(free, values, strict=True)
    ])


def initial_energy(curve: DataCurve) -> float | None:
    """The glass's mean PE per atom (eV) before loading: ``pe_per_atom``, else the first value
    of the energy column, else None."""
    if curve.spec.pe_per_atom is not None:
        return curve.spec.pe_per_atom
    return None if curve.energy is None else float(curve.energy[0])


def curve_material(params: MaterialParameters, curve: DataCurve) -> MaterialParameters:
    """The material a curve is simulated with: at its temperature, and with χ₀ from the PE→χ
    map (docs/model.md §5) when the material has one and the curve its glass energy."""
    energy = initial_energy(curve)
    T = curve.spec.temperature
    if params.pe_beta is not None and energy is not None:
        return params.replace(T=T, chi0=params.chi_of_energy(energy, T))
    return params.replace(T=T)


def model_response(
    params: MaterialParameters, curve: DataCurve, limits: StepLimits, max_steps: int = 200_000
) -> tuple[np.ndarray, np.ndarray]:
    """Model stress (Pa) and χ (K) at the data strains of ``curve``, at its loading, rate and T
    (and χ₀ of its glass, ``curve_material``).

    Data strains below zero (noise at the start) get the zero-strain state.

    Raises:
        RuntimeError: the driver needed more than ``max_steps`` steps or its step underflowed.
    """
    spec = curve.spec
    material = curve_material(params, curve)
    if spec.loading == "simple-shear":
        material = material.effective(spec.rate)
        return response_at(material, material.chi0, spec.rate, curve.strain, limits, max_steps)
    loading = Loading(kind=spec.loading, rate=spec.rate, strain=float(curve.strain.max()))
    response = run(material, loading, limits, max_steps)
    return (np.interp(curve.strain, response["strain"], response["stress_Pa"]),
            np.interp(curve.strain, response["strain"], response["chi_K"]))


def model_stress(
    params: MaterialParameters, curve: DataCurve, limits: StepLimits, max_steps: int = 200_000
) -> np.ndarray:
    """Model stress (Pa) at the data strains of ``curve`` (``model_response``)."""
    return model_response(params, curve, limits, max_steps)[0]


def mapped_chi(params: MaterialParameters, curve: DataCurve) -> np.ndarray | None:
    """χ (K) of the curve's energy column through the material's PE→χ map (None: no map or no
    energies), the vibrational part at the curve's T removed (docs/model.md §5)."""
    if params.pe_beta is None or params.pe_u0 is None or curve.energy is None:
        return None
    inherent = curve.energy - params.pe_vibration * K_B_EV * curve.spec.temperature
    return params.pe_beta * (inherent - params.pe_u0) * params.T_Z


def _curve_residuals(model: np.ndarray, curve: DataCurve, weight: float) -> np.ndarray:
    return np.sqrt(weight) * (model - curve.stress) / curve.peak


class Objective:
    """Residuals of the fit as a picklable callable of the optimizer variables x.

    ``weights`` multiplies each curve's weight (a bootstrap resample: how often it was drawn).
    """

    def __init__(self, config: FitConfig, curves: Sequence[DataCurve],
                 weights: Sequence[float] | None = None) -> None:
        self.base = config.base
        self.free = config.free
        self.curves = list(curves)
        self.limits = config.limits
        self.max_steps = config.max_steps
        multipliers = [1.0] * len(self.curves) if weights is None else list(weights)
        self.weights = [c.spec.weight * w for c, w in zip(self.curves, multipliers, strict=True)]
        self.energy_weight = config.fit.energy_weight
        self._has_map = config.base.pe_beta is not None

    def material(self, x: np.ndarray) -> MaterialParameters:
        values = to_values(self.free, x)
        return self.base.replace(**{p.name: float(v) for p, v in zip(self.free, values,
                                                                      strict=True)})

    def responses(self, params: MaterialParameters, curves: Sequence[DataCurve] | None = None
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Model (stress, χ) of each curve (default: the fitted ones); zeros where it fails."""
        out = []
        for curve in self.curves if curves is None else curves:
            try:
                out.append(model_response(params, curve, self.limits, self.max_steps))
            except (RuntimeError, ValueError):
                # Only extreme trial parameters need that many steps (or underflow, or a χ₀
                # the map cannot give); a zero response is a large, finite residual that
                # steers the optimizer back.
                out.append((np.zeros_like(curve.stress), np.zeros_like(curve.stress)))
        return out

    def models(self, params: MaterialParameters, curves: Sequence[DataCurve] | None = None
               ) -> list[np.ndarray]:
        """Model stress of each curve (default: the fitted ones); zero where the run fails."""
        return [stress for stress, _ in self.responses(params, curves)]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        try:
            params = self.material(x)
        except ValueError:  # InputError: an inconsistent trial material
            return np.concatenate([np.ones_like(c.stress) for c in self.curves] + [
                np.ones_like(c.stress) for c in self.curves
                if self.energy_weight > 0.0 and self._has_map and c.energy is not None])
        responses = self.responses(params)
        parts = [_curve_residuals(m, c, w) for (m, _), c, w in zip(
            responses, self.curves, self.weights, strict=True)]
        if self.energy_weight > 0.0 and self._has_map:
            # χ along each curve against the PE→χ map of its energies, relative to χ∞
            for (_, chi), c, w in zip(responses, self.curves, self.weights, strict=True):
                mapped = mapped_chi(params, c)
                if mapped is not None:
                    parts.append(np.sqrt(w * self.energy_weight) * (chi - mapped)
                                 / params.chi_inf)
        return np.concatenate(parts)

    def cost(self, x: np.ndarray) -> float:
        return 0.5 * float(np.sum(self(x) ** 2))


@dataclass(frozen=True)
class _Local:
    """A local fit from ``start`` (picklable task for the worker processes)."""

    objective: Objective
    lower: np.ndarray
    upper: np.ndarray
    diff_step: float
    max_nfev: int
    tolerance: float

    def __call__(self, start: np.ndarray) -> Minimum:
        calls = [0]

        def counted(x: np.ndarray) -> np.ndarray:
            calls[0] += 1  # least_squares' nfev leaves out the finite-difference Jacobians
            return self.objective(x)

        result = least_squares(
            counted, start, bounds=(self.lower, self.upper), method="trf",
            diff_step=self.diff_step, max_nfev=self.max_nfev, ftol=self.tolerance,
            xtol=self.tolerance, gtol=self.tolerance,
        )
        free = self.objective.free
        return Minimum(
            values=to_values(free, result.x), cost=float(result.cost),
            start=to_values(free, start), evaluations=calls[0],
            message=str(result.message), x=result.x, jacobian=np.asarray(result.jac),
            residuals=result.fun,
        )


def parallel_map(func: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    """``[func(i) for i in items]`` in ``workers`` processes (in order; 1: here). Spawned, not
    forked: the parent may run threads (numba, BLAS); the compiled kernels load from numba's
    cache."""
    if workers <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        return list(pool.map(func, items))


def design_points(lower: np.ndarray, upper: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` scrambled Sobol points (seeded) in the box [lower, upper], shape (count, n)."""
    if count == 0:
        return np.empty((0, lower.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # balance properties want 2^m points; any count is fine
        unit = qmc.Sobol(d=lower.size, scramble=True, seed=seed).random(count)
    return qmc.scale(unit, lower, upper)


SPREAD = 0.25
"""Smallest distance, in the unit box of the bounds per √n, between two starts of a global fit
(while enough candidates are that far apart)."""


def spread_starts(candidates: np.ndarray, costs: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray, count: int) -> list[np.ndarray]:
    """``count`` starts: the cheapest candidates, skipping one that lies within ``SPREAD``·√n
    (unit box) of a start already taken, so that the local fits explore several basins
    rather than one valley's many design points; the skipped ones fill up what is missing."""
    order = np.argsort(costs, kind="stable")
    unit = (candidates - lower) / (upper - lower)
    radius = SPREAD * np.sqrt(candidates.shape[1])
    taken: list[int] = []
    for k in order:
        if len(taken) < count and all(np.linalg.norm(unit[k] - unit[j]) >= radius
                                      for j in taken):
            taken.append(int(k))
    taken += [int(k) for k in order if k not in taken][: count - len(taken)]
    return [candidates[k] for k in taken]


def distinct_minima(minima: Sequence[Minimum], tolerance: float = SAME_MINIMUM) -> list[Minimum]:
    """The minima sorted by cost, one per basin: a later one within ``tolerance`` relative in
    every value of a kept one is dropped."""
    kept: list[Minimum] = []
    for m in sorted(minima, key=lambda m: m.cost):
        if not any(np.all(np.abs(m.values - k.values) <= tolerance * np.maximum(
                np.abs(k.values), 1e-300)) for k in kept):
            kept.append(m)
    return kept


def bounds_of(free: tuple[FreeParameter, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower bounds, upper bounds and initial values of the optimizer variables."""
    ends = (to_variables(free, np.array([p.lower for p in free])),
            to_variables(free, np.array([p.upper for p in free])))
    x0 = to_variables(free, np.array([p.initial for p in free]))
    # a negative initial value (e.g. pe_u0) flips a linear parameter's bounds
    return np.minimum(*ends), np.maximum(*ends), x0


def fit_curves(config: FitConfig, curves: list[DataCurve]) -> FitResult:
    """Fit the free parameters of ``config`` to ``curves``: one local fit from the initial
    values (``starts = 1``, ``design = 0``), or the global multi-start fit (module docstring).
    """
    free = config.free
    objective = Objective(config, curves)
    lower, upper, x0 = bounds_of(free)
    settings = config.fit
    local = _Local(objective, lower, upper, config.diff_step, config.max_evaluations,
                   settings.tolerance)
    evaluations = 0
    starts = [x0]
    if settings.starts > 1 or settings.design > 0:
        candidates = np.vstack([x0, design_points(lower, upper, settings.design, settings.seed)])
        costs = parallel_map(objective.cost, list(candidates), settings.workers)
        evaluations += len(candidates)
        starts = spread_starts(candidates, np.array(costs), lower, upper, settings.starts)
    minima = parallel_map(local, starts, settings.workers)
    evaluations += sum(m.evaluations for m in minima)
    return result_of(objective, distinct_minima(minima), lower, upper, evaluations)


def refit(config: FitConfig, curves: list[DataCurve], start: np.ndarray,
          weights: Sequence[float] | None = None) -> Minimum:
    """One local fit from ``start`` (SI values) with curve weight multipliers ``weights``."""
    lower, upper, _ = bounds_of(config.free)
    x = np.clip(to_variables(config.free, start), lower, upper)
    return _Local(Objective(config, curves, weights), lower, upper, config.diff_step,
                  config.max_evaluations, config.fit.tolerance)(x)


def result_of(objective: Objective, minima: list[Minimum], lower: np.ndarray,
              upper: np.ndarray, evaluations: int) -> FitResult:
    best = minima[0]
    free = objective.free
    # dr/dvalue = dr/dx · dx/dvalue; dx/dvalue = 1/value (log) or 1/initial (linear).
    dx_dvalue = np.array([1.0 / v if p.log else 1.0 / p.initial
                          for p, v in zip(free, best.values, strict=True)])
    params = objective.material(best.x)
    return FitResult(
        params=params,
        free=free,
        values=best.values,
        jacobian=best.jacobian * dx_dvalue,
        residuals=best.residuals,
        models=objective.models(params),
        # trf keeps iterates strictly inside, so "on a bound" means within 0.1 % of the range.
        at_bound=np.minimum(best.x - lower, upper - best.x) <= 1e-3 * (upper - lower),
        evaluations=evaluations,
        message=best.message,
        minima=minima,
    )

