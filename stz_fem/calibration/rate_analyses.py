"""Rate-law analyses of the calibration curves themselves (docs/model.md §5), for report.json.

- Johnson–Samwer: at each rate with curves at ≥ 2 temperatures, the peak (yield) stresses give
  γ_C0 and γ_C1, and W₀ by the consistency formula at the fitted χ₀.
- Eyring: at each temperature with curves at ≥ 2 rates, the flow stresses (mean over the last
  ``flow_window`` of strain) give V* = k_B T/(dτ/d ln γ̇), to set beside the fitted Ωε₀.
- Energy map: for each curve with a potential-energy column, β and U₀ of χ = β(U − U₀)T_Z
  from its first energy (the quenched glass, at the fitted χ₀) and its mean energy over the
  flow window (steady flow, at χ∞).

Both read the data, not the model; G, T_g, χ₀, τ₀ and T_Z come from the fitted material.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from stz_fem.atomistic.energy_chi import map_from_anchors
from stz_fem.calibration.config import Analyses
from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.eyring import fit_activation_volume
from stz_fem.calibration.johnson_samwer import fit_johnson_samwer, js_barrier_from_fit
from stz_fem.errors import InputError
from stz_fem.material import MaterialParameters


def flow_stress(curve: DataCurve, window: float) -> float:
    """Mean |stress| (Pa) over the last ``window`` of strain of a curve."""
    tail = curve.strain >= curve.strain.max() - window
    return float(np.mean(np.abs(curve.stress[tail])))


def _groups(curves: list[DataCurve], key: str) -> dict[float, list[DataCurve]]:
    groups: dict[float, list[DataCurve]] = defaultdict(list)
    for c in curves:
        groups[getattr(c.spec, key)].append(c)
    return groups


def johnson_samwer(curves: list[DataCurve], params: MaterialParameters) -> list[dict[str, Any]]:
    """One JS fit per rate that has curves at ≥ 2 distinct temperatures."""
    results = []
    for rate, group in sorted(_groups(curves, "rate").items()):
        temperatures = np.array([c.spec.temperature for c in group])
        if np.unique(temperatures).size < 2:
            continue
        peaks = np.array([c.peak for c in group])
        fit = fit_johnson_samwer(temperatures, peaks, params.G, params.Tg)
        entry: dict[str, Any] = {
            "rate_per_s": rate, "temperatures_K": temperatures.tolist(),
            "yield_stresses_Pa": peaks.tolist(),
            "gamma_C0": fit.gamma_C0, "gamma_C0_error": fit.gamma_C0_error,
            "gamma_C1": fit.gamma_C1, "gamma_C1_error": fit.gamma_C1_error, "r2": fit.r2,
            "W0_K": None,
        }
        try:
            entry["W0_K"] = js_barrier_from_fit(fit, params.Tg, params.T_Z, params.chi0,
                                                params.tau0, rate)
        except InputError:  # MD rates can exceed the attempt rate at χ₀: no consistent W₀
            omega0 = np.exp(-params.T_Z / params.chi0) / params.tau0
            entry["warning"] = (f"no consistent W0: the rate {rate:g} 1/s is not below the "
                                f"attempt rate exp(-T_Z/chi0)/tau0 = {omega0:.3g} 1/s")
        results.append(entry)
    return results


def eyring(curves: list[DataCurve], params: MaterialParameters, window: float
           ) -> list[dict[str, Any]]:
    """One activation-volume fit per temperature that has curves at ≥ 2 distinct rates."""
    results = []
    for temperature, group in sorted(_groups(curves, "temperature").items()):
        rates = np.array([c.spec.rate for c in group])
        if np.unique(rates).size < 2:
            continue
        flows = np.array([flow_stress(c, window) for c in group])
        entry: dict[str, Any] = {
            "temperature_K": temperature, "rates_per_s": rates.tolist(),
            "flow_stresses_Pa": flows.tolist(), "fitted_Omega_eps0_m3": params.Omega * params.eps0,
        }
        try:
            fit = fit_activation_volume(rates, flows, temperature)
        except InputError as err:  # noisy MD flow stresses may not rise with rate
            entry["warning"] = str(err)
        else:
            entry.update(V_star_m3=fit.V_star, V_star_error_m3=fit.V_star_error,
                         slope_Pa=fit.slope, min_argument=fit.min_argument)
        results.append(entry)
    return results


def energy_map(curves: list[DataCurve], params: MaterialParameters, window: float
               ) -> list[dict[str, Any]]:
    """β, U₀ per curve that carries energies; a warning where flow did not raise U."""
    results = []
    for c in curves:
        if c.energy is None:
            continue
        u_start = float(c.energy[0])
        u_flow = float(np.mean(c.energy[c.strain >= c.strain.max() - window]))
        entry: dict[str, Any] = {"path": str(c.spec.path), "temperature_K": c.spec.temperature,
                                 "rate_per_s": c.spec.rate, "quenched_energy_eV": u_start,
                                 "flow_energy_eV": u_flow}
        try:
            beta, u0 = map_from_anchors(u_start, u_flow, params.chi0, params.chi_inf,
                                        params.T_Z)
        except ValueError as err:
            entry["warning"] = str(err)
        else:
            entry.update(beta_per_eV=beta, u0_eV=u0)
        results.append(entry)
    return results


def rate_analyses(curves: list[DataCurve], params: MaterialParameters, analyses: Analyses
                  ) -> dict[str, Any]:
    """The analyses the configuration asks for, keyed ``johnson_samwer``, ``eyring`` and
    ``energy_map``."""
    report: dict[str, Any] = {}
    if analyses.johnson_samwer:
        report["johnson_samwer"] = johnson_samwer(curves, params)
    if analyses.eyring:
        report["eyring"] = eyring(curves, params, analyses.flow_window)
    if analyses.energy_map:
        report["energy_map"] = energy_map(curves, params, analyses.flow_window)
    return report
