"""Bayesian optimization of an expensive function over a box: a seeded Sobol design, then
batches chosen by expected improvement (EI) on a Gaussian-process surrogate.

The surrogate is scikit-learn's ``GaussianProcessRegressor`` with the kernel
C·Matérn(ν = 5/2, one length scale per coordinate) + white noise, on the unit box of the bounds
(u = (x − lower)/(upper − lower)) and standardized objective values. For minimization, with
the best value y* observed so far and the surrogate mean μ(u) and standard deviation σ(u),

    EI(u) = (y* − μ − ξ) Φ(z) + σ φ(z),   z = (y* − μ − ξ)/σ,

maximized over ``candidates`` points (a fresh seeded Sobol set and Gaussian perturbations of the
best points). A batch of q points is picked by the "kriging believer" rule: after each pick the
surrogate is conditioned on its own mean there (kernel kept), so the next pick looks elsewhere.
Failed evaluations (nan or inf) enter the surrogate as the worst finite value plus one spread,
which steers the search away from them. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm, qmc

BatchEvaluator = Callable[[Sequence[np.ndarray]], Sequence[float]]
"""Values of the objective at a batch of points (coordinates of the box, any units)."""


@dataclass
class Search:
    """History of a search: points (box coordinates), values (nan: failed), phase of each
    ("design" or "ei"), wall time of each batch (s), and the last surrogate's length scales
    in units of each coordinate's range (a small one: the objective varies fast along it)."""

    points: list[np.ndarray] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    batch_times: list[float] = field(default_factory=list)
    length_scales: np.ndarray | None = None
    stopped: str = ""

    @property
    def best(self) -> int:
        """Index of the smallest finite value (−1 when there is none)."""
        y = np.asarray(self.values, dtype=float)
        finite = np.isfinite(y)
        return int(np.flatnonzero(finite)[np.argmin(y[finite])]) if finite.any() else -1

    def best_so_far(self) -> np.ndarray:
        """Running minimum of the finite values after each evaluation (nan before the first)."""
        y = np.where(np.isfinite(self.values), self.values, np.inf)
        run = np.minimum.accumulate(y) if len(y) else y
        return np.where(np.isfinite(run), run, np.nan)


def sobol(lower: np.ndarray, upper: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` scrambled Sobol points (seeded) in the box, shape (count, n)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # balance properties want 2^m points; any count is fine
        unit = qmc.Sobol(d=lower.size, scramble=True, seed=seed).random(count)
    return qmc.scale(unit, lower, upper)


def surrogate(u: np.ndarray, y: np.ndarray, seed: int):
    """A GP fitted to unit-box points ``u`` (m, n) and values ``y`` (finite)."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    n = u.shape[1]
    kernel = (ConstantKernel(1.0, (1e-3, 1e3))
              * Matern(length_scale=np.full(n, 0.3), length_scale_bounds=(1e-2, 1e2), nu=2.5)
              + WhiteKernel(1e-3, (1e-8, 1.0)))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=3,
                                  random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at a bound of a length scale
        gp.fit(u, y)
    return gp


def length_scales(gp) -> np.ndarray:
    """The Matérn length scales (unit box) of a fitted ``surrogate``."""
    return np.atleast_1d(gp.kernel_.k1.k2.length_scale).astype(float)


def expected_improvement(gp, u: np.ndarray, best: float, xi: float) -> np.ndarray:
    """EI of minimization at unit-box points ``u`` below the value ``best`` (module docstring;
    ξ in units of the objective)."""
    mu, sigma = gp.predict(u, return_std=True)
    sigma = np.maximum(sigma, 1e-12)
    gain = best - mu - xi
    z = gain / sigma
    return gain * norm.cdf(z) + sigma * norm.pdf(z)


def _filled(y: np.ndarray) -> np.ndarray:
    """Failed values (nan, inf) replaced by the worst finite value plus one spread."""
    finite = np.isfinite(y)
    if not finite.any():
        return np.zeros_like(y)
    worst, spread = y[finite].max(), max(np.ptp(y[finite]), 1.0)
    return np.where(finite, y, worst + spread)


def propose(u: np.ndarray, y: np.ndarray, batch: int, candidates: int, xi: float,
            seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` new unit-box points by EI with the kriging-believer rule, and the length
    scales of the surrogate fitted to (u, y) (y: finite values)."""
    from sklearn.gaussian_process import GaussianProcessRegressor

    gp = surrogate(u, y, seed)
    scales = length_scales(gp)
    rng = np.random.default_rng(seed)
    n = u.shape[1]
    best = np.argsort(y)[:3]
    local = (u[best][rng.integers(0, len(best), candidates // 2)]
             + rng.normal(0.0, 0.05, (candidates // 2, n)))
    pool = np.clip(np.vstack([sobol(np.zeros(n), np.ones(n), candidates, seed), local]), 0, 1)
    picked = []
    uu, yy = u, y
    for _ in range(batch):
        ei = expected_improvement(gp, pool, float(yy.min()), xi * float(np.std(y) or 1.0))
        k = int(np.argmax(ei))
        picked.append(pool[k])
        believed = float(gp.predict(pool[k:k + 1])[0])
        uu, yy = np.vstack([uu, pool[k]]), np.append(yy, believed)
        pool = np.delete(pool, k, axis=0)
        gp = GaussianProcessRegressor(kernel=gp.kernel_, optimizer=None, normalize_y=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gp.fit(uu, yy)
    return np.array(picked), scales


def minimize(evaluate: BatchEvaluator, lower: Sequence[float], upper: Sequence[float], *,
             design: int, budget: int, batch: int, seed: int = 0, candidates: int = 4096,
             xi: float = 0.01, max_wall_time: float = np.inf,
             on_batch: Callable[[Search], None] | None = None) -> Search:
    """Minimize ``evaluate`` over the box [lower, upper]: ``design`` seeded Sobol points, then
    EI batches of ``batch`` points until ``budget`` evaluations or ``max_wall_time`` (s; the
    running batch finishes). ``on_batch`` is called with the history after every batch
    (progress output, intermediate files)."""
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    span = upper - lower
    search = Search()
    start = time.monotonic()

    def run(points: np.ndarray, phase: str) -> None:
        t0 = time.monotonic()
        values = evaluate(list(points))
        search.points += list(points)
        search.values += [float(v) for v in values]
        search.phases += [phase] * len(points)
        search.batch_times.append(time.monotonic() - t0)
        if on_batch is not None:
            on_batch(search)

    first = sobol(lower, upper, design, seed)
    for k in range(0, design, batch):
        run(first[k:k + batch], "design")
        if time.monotonic() - start > max_wall_time:
            search.stopped = "max_wall_time"
            return search
    step = 0
    while len(search.values) < budget:
        if time.monotonic() - start > max_wall_time:
            search.stopped = "max_wall_time"
            break
        u = (np.array(search.points) - lower) / span
        y = _filled(np.asarray(search.values, dtype=float))
        step += 1
        new, search.length_scales = propose(u, y, min(batch, budget - len(search.values)),
                                            candidates, xi, seed + step)
        run(lower + new * span, "ei")
    else:
        search.stopped = "budget"
    if search.length_scales is None and len(search.values) > 1:
        u = (np.array(search.points) - lower) / span
        search.length_scales = length_scales(
            surrogate(u, _filled(np.asarray(search.values, dtype=float)), seed))
    return search
