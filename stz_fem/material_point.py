"""Material-point driver: the homogeneous (0-D) STZ-χ response under a loading program.

Strain-controlled components follow the loading; the others are solved for zero stress (or the
creep stress) by Newton's method on the algorithmic tangent. Steps adapt so that χ, the plastic
strain and the stress change by less than set limits per step; a rejected step is halved.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stz_fem.errors import InputError, RunError
from stz_fem.material import MaterialParameters, integrate, pack, plastic_rate
from stz_fem.material.lagged_update import integrate_lagged, require_supported
from stz_fem.material.mandel import SQRT2, equivalent_shear_stress, pressure
from stz_fem.step_control import StepController

LOADINGS = ("simple-shear", "uniaxial-tension", "uniaxial-compression", "creep")


@dataclass(frozen=True)
class Loading:
    """A homogeneous loading program.

    Attributes:
        kind: one of ``LOADINGS``. Simple shear and creep act on the 12 component (engineering
            shear strain γ = 2ε₁₂); uniaxial loadings on the 11 component, lateral stress free.
        rate: engineering shear rate (shear) or axial strain rate magnitude (uniaxial), 1/s.
        strain: end strain magnitude (γ or |ε₁₁|); creep also ends there.
        stress: creep shear stress σ₁₂, Pa.
        duration: creep end time, s (None: until ``strain``).
        plane_strain: uniaxial loadings keep ε₃₃ = 0 (σ₃₃ ≠ 0) instead of σ₃₃ = 0.
    """

    kind: str = "simple-shear"
    rate: float = 1e-3
    strain: float = 0.2
    stress: float | None = None
    duration: float | None = None
    plane_strain: bool = False

    def __post_init__(self) -> None:
        if self.kind not in LOADINGS:
            raise InputError(f"--loading {self.kind!r}: allowed: {', '.join(LOADINGS)}")
        if not self.strain > 0.0:
            raise InputError(f"--strain {self.strain!r}: must be > 0")
        if self.kind == "creep":
            if self.stress is None or not self.stress > 0.0:
                given = "none given" if self.stress is None else f"got {self.stress!r}"
                raise InputError(f"--stress: creep needs a shear stress > 0 Pa ({given})")
            if self.duration is not None and not self.duration > 0.0:
                raise InputError(f"--duration {self.duration!r}: must be > 0 s")
        elif not self.rate > 0.0:
            raise InputError(f"--rate {self.rate!r}: must be > 0 1/s")

    @property
    def driven(self) -> int:
        """Mandel index of the loaded component."""
        return 5 if self.kind in ("simple-shear", "creep") else 0

    @property
    def sign(self) -> float:
        return -1.0 if self.kind == "uniaxial-compression" else 1.0

    @property
    def free(self) -> list[int]:
        """Mandel indices whose strain is unknown (stress prescribed)."""
        if self.kind == "creep":
            return [5]
        if self.kind.startswith("uniaxial"):
            return [1] if self.plane_strain else [1, 2]
        return []

    def strain_of(self, component: float) -> float:
        """Reported strain (γ = 2ε₁₂ or ε₁₁; compression positive) of a Mandel strain value."""
        return self.sign * (component * SQRT2 if self.driven == 5 else component)

    def stress_of(self, component: float) -> float:
        """Reported stress (σ₁₂ or σ₁₁ in Pa; compression positive) of a Mandel stress value."""
        return self.sign * (component / SQRT2 if self.driven == 5 else component)

    def component_of(self, strain: float) -> float:
        """Mandel strain magnitude of a reported strain magnitude."""
        return strain / SQRT2 if self.driven == 5 else strain


@dataclass(frozen=True)
class StepLimits:
    """Largest changes accepted in one step."""

    chi: float = 0.5
    """χ change, K."""
    plastic_strain: float = 1e-3
    """Engineering plastic strain increment 2Δγ."""
    stress: float = 5e-3
    """Change of the loaded stress component relative to s_y (or s_chi)."""


CONTROLLER = StepController()
"""The step-size rules of the finite-element runs (``stz_fem.step_control``)."""

CURVE_COLUMNS = (
    "time_s", "strain", "stress_Pa", "chi_K", "plastic_strain", "D_per_s", "sbar_Pa",
    "pressure_Pa", "plastic_volume_strain",
)


def run(
    params: MaterialParameters, loading: Loading, limits: StepLimits | None = None,
    max_steps: int = 200_000, adiabatic: bool = False,
) -> dict[str, np.ndarray]:
    """Integrate the homogeneous response from rest with χ = params.chi0, with G(T) and χ∞ at
    the loading rate when the material has those terms (``MaterialParameters.effective``).

    ``adiabatic``: plastic work heats the point from the bath temperature, ρcṪ = ζ·2Ds̄
    (docs/model.md §3.1), staggered: each step runs at the temperature its start had, and its
    work 2Δγs̄ then raises T; the column ``temperature_K`` is added. With the orientation lag
    (``eps_a`` > 0, docs/model.md §2.4) the column ``orientation`` gives m̄ = √(M:M/2).

    Returns:
        Columns ``CURVE_COLUMNS``: time (s), loaded strain (γ for shear, ε₁₁ for uniaxial),
        loaded stress (σ₁₂ or σ₁₁, Pa), χ (K), accumulated plastic strain ∫2D dt, plastic rate D
        (1/s), s̄ (Pa), pressure (Pa) and the plastic volume strain tr εᵖ (2β∫D dt), one row
        per accepted step.

    Raises:
        InputError: ``adiabatic`` without ``rho`` and ``heat_capacity``, or a lagged material
            the tensor update does not cover (``lagged_update.require_supported``).
    """
    limits = limits or StepLimits()
    params = params.effective(None if loading.kind == "creep" else loading.rate)
    require_supported(params, heating="--adiabatic" if adiabatic else None)
    # the STZ orientation M of the lagged law (docs/model.md §2.4), from an unoriented glass
    orientation = np.zeros((1, 6)) if params.eps_a > 0.0 else None
    heating = params.heating_per_work() if adiabatic else 0.0
    temperature = np.array([params.T]) if adiabatic else None
    c = pack(params)
    stress_scale = params.chi_stress_scale
    free = loading.free
    target = np.zeros(6)
    if loading.kind == "creep":
        target[5] = SQRT2 * loading.stress
        dt = 1e-9
    else:
        dt = limits.stress * stress_scale / (2.0 * params.G * loading.rate)
    rate_component = loading.sign * loading.component_of(loading.rate)
    end_component = loading.component_of(loading.strain)

    t, eps = 0.0, np.zeros(6)
    epsp, chi, acc = np.zeros(6), np.array([params.chi0]), 0.0
    rows = [(0.0, 0.0, 0.0, params.chi0, 0.0, 0.0, 0.0, 0.0, 0.0)]
    for _ in range(max_steps):
        dt = _capped(dt, t, eps, loading, end_component)
        trial = eps.copy()
        if loading.kind != "creep":
            trial[loading.driven] += rate_component * dt
        step = _equilibrate(c, trial, epsp, chi, dt, free, target, temperature, orientation)
        if step is None:
            dt *= 0.5
            if dt < 1e-30:
                raise RunError("material point: the step size fell below 1e-30 s without a "
                               "step the local update accepts")
            continue
        new_eps, res, new_orientation = step
        ratio = _increment_ratio(res, chi[0], dt, rows[-1][2], loading, limits, stress_scale)
        if not CONTROLLER.accepts(ratio):
            dt = CONTROLLER.retry(dt, ratio)
            continue
        t += dt
        eps, epsp, chi, orientation = new_eps, res.plastic_strain[0], res.chi, new_orientation
        acc += 2.0 * res.rate[0] * dt
        sigma = res.stress[0]
        sbar = float(equivalent_shear_stress(sigma))
        row = (t, loading.strain_of(eps[loading.driven]), loading.stress_of(sigma[loading.driven]),
               chi[0], acc, res.rate[0], sbar, float(pressure(sigma)), float(epsp[:3].sum()))
        if temperature is not None:
            temperature = temperature + heating * 2.0 * res.rate[0] * dt * sbar
            row += (temperature[0],)
        if orientation is not None:
            row += (float(equivalent_shear_stress(orientation[0])),)
        rows.append(row)
        if _finished(t, eps, loading, end_component):
            break
        dt = CONTROLLER.next(dt, ratio)
    else:
        raise RunError(f"material point: not finished after {max_steps} steps")
    rows[0] += ((params.T,) if adiabatic else ()) + ((0.0,) if orientation is not None else ())
    columns = CURVE_COLUMNS + (("temperature_K",) if adiabatic else ()) + (
        ("orientation",) if orientation is not None else ())
    data = np.array(rows)
    return {name: data[:, k] for k, name in enumerate(columns)}


def _capped(dt: float, t: float, eps: np.ndarray, loading: Loading, end: float) -> float:
    """The step (s) shortened to end exactly at the loading's end strain or creep duration."""
    if loading.kind != "creep":
        return min(dt, (end - abs(eps[loading.driven])) / loading.component_of(loading.rate))
    return dt if loading.duration is None else min(dt, loading.duration - t)


def _finished(t: float, eps: np.ndarray, loading: Loading, end: float) -> bool:
    if loading.kind != "creep":
        return abs(eps[loading.driven]) >= end * (1.0 - 1e-12)
    return abs(eps[5]) >= end or (
        loading.duration is not None and t >= loading.duration * (1.0 - 1e-12))


def _increment_ratio(res, chi: float, dt: float, stress: float, loading: Loading,
                     limits: StepLimits, stress_scale: float) -> float:
    """The step's largest increment relative to its limit (χ in K, plastic strain, and the
    loaded stress relative to ``stress_scale`` except in creep)."""
    d_stress = abs(loading.stress_of(res.stress[0, loading.driven]) - stress) / stress_scale
    return max(abs(res.chi[0] - chi) / limits.chi,
               2.0 * res.rate[0] * dt / limits.plastic_strain,
               0.0 if loading.kind == "creep" else d_stress / limits.stress)


def _update(c, eps, epsp, chi, dt, temperature, orientation):
    """The local update of one point and its orientation at the end of the step (None: the law
    of §2; ``orientation`` given: the lagged law, docs/model.md §2.4); None if it fails."""
    if orientation is None:
        return integrate(c, eps, epsp, chi, dt, temperature=temperature), None
    res, m = integrate_lagged(c, eps, epsp, chi, orientation, dt)
    return None if res.iterations < 0 else (res, m)


def _equilibrate(c, eps, epsp, chi, dt, free, target, temperature, orientation):
    """Solve the free strain components for the target stress at the point's temperature (K;
    None: the bath's); (strain, update, orientation), or None if Newton or the update fails."""
    eps = eps.copy()
    scale = c.K  # stress residual tolerance relative to the bulk modulus, Pa
    for _ in range(31):
        step = _update(c, eps, epsp, chi, dt, temperature, orientation)
        if step is None:
            return None
        res, m = step
        if not free:
            return eps, res, m
        r = res.stress[0, free] - target[free]
        if np.all(np.abs(r) <= 1e-12 * scale + 1e-10 * np.abs(target[free])):
            return eps, res, m
        jac = res.tangent[0][np.ix_(free, free)]
        eps[free] -= np.linalg.solve(jac, r)
    return None


def write_curve(curve: dict[str, np.ndarray], path: str | Path) -> None:
    """Write the curve as CSV with a header row (columns ``CURVE_COLUMNS``)."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(curve.keys())
        for row in zip(*curve.values(), strict=True):
            writer.writerow(f"{v + 0.0:.10g}" for v in row)  # + 0.0 drops -0


def read_curve(path: str | Path) -> dict[str, np.ndarray]:
    """Read a curve written by ``write_curve``."""
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        data = np.array([[float(v) for v in row] for row in reader])
    return {name: data[:, k] for k, name in enumerate(header)}


def steady_flow_stress(params: MaterialParameters, shear_rate: float) -> float:
    """s̄ (Pa) of steady homogeneous flow at χ = χ∞ and engineering shear rate 2D = shear_rate.

    Solves log(2D(s̄, χ∞)) = log(shear_rate) by bisection on the monotone rate law (α = 0).
    """
    lo, hi = 0.0, params.s_y or params.chi_stress_scale
    while 2.0 * plastic_rate(params, hi, params.chi_inf) < shear_rate:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 2.0 * plastic_rate(params, mid, params.chi_inf) < shear_rate:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)
