"""α and β of the law from simple shear under held pressures (docs/model.md §2.2, §5).

Pressure sensitivity α: in steady flow at one temperature and rate the law's effective stress
τ = s̄ − αp is the same at every pressure, so the flow stress (mean s̄ over the final
``flow_window`` of strain) is a straight line in the mean pressure over that window,
s̄_f = τ_f + α p_f. α is the slope of the least-squares line through the runs of one
(temperature, rate, held) group; replicas enter as separate points, so the standard error
contains the run-to-run scatter. ``alpha_peak`` is the same line through the peak s̄ of each
run against its mean pressure (the whole curve shifts by αp in the law at a fixed χ path).

Dilatancy β: tr ε̇ᵖ = β γ̇ᵖ (γᵖ the engineering plastic shear strain). Along one run the
plastic shear strain is γᵖ = γ − σ₁₂/G and the plastic volumetric strain
εᵖᵥ = ln(V/V₀) + (p − p₀)/K (the elastic part −Δp/K removed; V₀, p₀ the first row). The
run's β is the slope of the least-squares line of εᵖᵥ against γᵖ over the rows past yield
(γᵖ ≥ ``dilatancy_from``): its intercept takes up the dilation already present at yield,
which in MD includes the non-linear elastic (second-order) dilation of the sheared solid, a
function of the stress that changes little once the solid flows. ``beta_secant`` (εᵖᵥ/γᵖ of
the means over the flow window, elastic dilation included) and ``beta_flow`` (the slope
inside the flow window: the dilatancy rate of the flow state itself) bracket it. A group
reports the mean β over its runs with the standard error of that mean, and the line β(p).

G (at the run's T) and K come from the fitted material.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from stz_fem.calibration.config import PressureCurveSpec
from stz_fem.calibration.curves import read_columns, window_rows
from stz_fem.calibration.statistics import LineFit, fit_line
from stz_fem.errors import InputError
from stz_fem.material import MaterialParameters

COLUMNS = ["strain_column", "stress_column", "equivalent_stress_column", "pressure_column",
           "volume_column"]


@dataclass(frozen=True)
class PressureCurve:
    """One run under a held normal stress: engineering shear strain γ, shear stress σ₁₂ (Pa),
    equivalent shear stress s̄ (Pa), pressure p (Pa, compression positive) and volume."""

    spec: PressureCurveSpec
    strain: np.ndarray
    shear_stress: np.ndarray
    equivalent_stress: np.ndarray
    pressure: np.ndarray
    volume: np.ndarray

    def flow(self, window: float) -> np.ndarray:
        """Rows in the final ``window`` of strain."""
        return self.strain >= self.strain.max() - window


def read_pressure_curve(spec: PressureCurveSpec) -> PressureCurve:
    """The columns of a ``[[pressure_curves]]`` CSV inside its strain window (stresses scaled
    by ``stress_scale``, strain by ``strain_scale``).

    Raises:
        InputError: missing column, non-numeric value, or fewer than 3 points in the window.
    """
    data = read_columns(spec, COLUMNS)
    strain = data[:, 0] * spec.strain_scale
    rows = window_rows(spec, strain)
    stresses = data[rows, 1:4] * spec.stress_scale
    return PressureCurve(spec, strain[rows], *stresses.T, data[rows, 4])


def plastic_strains(curve: PressureCurve, G: float, K: float) -> tuple[np.ndarray, np.ndarray]:
    """Engineering plastic shear strain γ − σ₁₂/G and plastic volumetric strain
    ln(V/V₀) + (p − p₀)/K along a run (G, K in Pa)."""
    shear = curve.strain - curve.shear_stress / G
    volumetric = np.log(curve.volume / curve.volume[0]) + (curve.pressure - curve.pressure[0]) / K
    return shear, volumetric


def run_entry(curve: PressureCurve, params: MaterialParameters, window: float,
              dilatancy_from: float) -> dict[str, Any]:
    """Flow stress, pressure and dilatancy of one run (``dilatancy_from``: the plastic shear
    strain from which the volume line is fitted)."""
    flow = curve.flow(window)
    shear, volumetric = plastic_strains(curve, params.G_at(curve.spec.temperature), params.K)
    plastic = shear >= dilatancy_from
    entry: dict[str, Any] = {
        "path": str(curve.spec.path),
        "flow_stress_Pa": float(np.mean(curve.equivalent_stress[flow])),
        "flow_pressure_Pa": float(np.mean(curve.pressure[flow])),
        "peak_stress_Pa": float(np.max(curve.equivalent_stress)),
        "mean_pressure_Pa": float(np.mean(curve.pressure)),
        "plastic_shear_strain": float(np.mean(shear[flow])),
        "plastic_volumetric_strain": float(np.mean(volumetric[flow])),
    }
    entry["beta_secant"] = entry["plastic_volumetric_strain"] / entry["plastic_shear_strain"]
    if np.count_nonzero(plastic) < 3:
        raise InputError(f"{curve.spec.where}: fewer than 3 rows past the plastic shear strain "
                         f"{dilatancy_from:g} (analyses.dilatancy_from) for β")
    line = fit_line(shear[plastic], volumetric[plastic])
    entry |= {"beta": line.slope, "beta_line_error": line.slope_error,
              "beta_flow": fit_line(shear[flow], volumetric[flow]).slope}
    return entry


def _line(fit: LineFit, slope: str, intercept: str) -> dict[str, float | None]:
    def finite(x: float) -> float | None:
        return x if np.isfinite(x) else None

    return {slope: fit.slope, f"{slope}_error": finite(fit.slope_error),
            intercept: fit.intercept, f"{intercept}_error": finite(fit.intercept_error)}


def group_entry(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """α (and τ_f at p = 0) from the line s̄_f(p_f); mean β ± standard error; β(p)."""
    pressure = np.array([r["flow_pressure_Pa"] for r in runs])
    betas = np.array([r["beta"] for r in runs])
    entry: dict[str, Any] = {
        "beta": float(betas.mean()),
        "beta_error": float(betas.std(ddof=1) / np.sqrt(betas.size)) if betas.size > 1 else None,
    }
    if np.unique(pressure).size < 2:
        entry["warning"] = "runs at one pressure only: no alpha"
        return entry
    flow = np.array([r["flow_stress_Pa"] for r in runs])
    entry |= _line(fit_line(pressure, flow), "alpha", "flow_stress_at_zero_pressure_Pa")
    peak = np.array([r["peak_stress_Pa"] for r in runs])
    mean_pressure = np.array([r["mean_pressure_Pa"] for r in runs])
    entry |= _line(fit_line(mean_pressure, peak), "alpha_peak", "peak_stress_at_zero_pressure_Pa")
    entry |= _line(fit_line(pressure, betas), "dbeta_dp_per_Pa", "beta_at_zero_pressure")
    return entry


def pressure_analysis(curves: list[PressureCurve], params: MaterialParameters, window: float,
                      dilatancy_from: float) -> list[dict[str, Any]]:
    """One entry per (temperature, rate, held) group: its runs, α and β with standard errors
    (``window``: final strain interval of the flow state; ``dilatancy_from``: plastic shear
    strain from which β is fitted)."""
    groups: dict[tuple[float, float, str], list[PressureCurve]] = defaultdict(list)
    for curve in curves:
        groups[curve.spec.temperature, curve.spec.rate, curve.spec.held].append(curve)
    results = []
    for (temperature, rate, held), group in sorted(groups.items()):
        runs = [run_entry(c, params, window, dilatancy_from) for c in group]
        results.append({"temperature_K": temperature, "rate_per_s": rate, "held": held,
                        **group_entry(runs), "runs": runs})
    return results
