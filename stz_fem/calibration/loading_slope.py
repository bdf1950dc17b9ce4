"""Loading slopes: the apparent modulus of each condition's MD curves against the law's.

Below the yield stress the STZ law is elastic: a predicted curve starts with the elastic slope of
its loading (G(T) in simple shear) at every rate. MD glasses also relax
anelastically below yield, by local shear transformations that reverse on unloading, so their
loading slope falls as the rate falls and the temperature rises. Where the two slopes part, the
fit of the whole curve is limited by a term the law lacks, not by its parameters
(calibration/cuzr_md/REPORT.md, "Where the law stops").

Slopes are least-squares lines (with an intercept, which absorbs the MD stress offset at
γ = 0) through the points with strain ≤ ``strain_max``; replicas of one condition (same glass
label, loading, rate and temperature: ``ensembles.condition_groups``) give a mean and a
standard deviation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.ensembles import condition_groups
from stz_fem.errors import InputError


def loading_slope(strain: np.ndarray, stress: np.ndarray, strain_max: float) -> float:
    """Slope (Pa per unit strain) of the least-squares line through the points with
    ``strain ≤ strain_max``.

    Raises:
        InputError: fewer than three such points.
    """
    window = strain <= strain_max
    if np.count_nonzero(window) < 3:
        raise InputError(f"loading slope: fewer than 3 points at strain <= {strain_max:g}")
    return float(np.polyfit(strain[window], stress[window], 1)[0])


def check_window(curves: list[DataCurve], strain_max: float) -> None:
    """Fail before any fitting if a curve has fewer than three points at strain ≤
    ``strain_max``.

    Raises:
        InputError: naming ``analyses.loading_slope_strain`` and the curve.
    """
    for curve in curves:
        if np.count_nonzero(curve.strain <= strain_max) < 3:
            hint = (f"; raise it to at least {np.sort(curve.strain)[2]:g}"
                    if curve.strain.size >= 3 else "")
            raise InputError(
                f"analyses.loading_slope_strain = {strain_max:g}: {curve.spec.path.name} has "
                f"fewer than 3 points at strain <= {strain_max:g}{hint}")


def loading_slopes(curves: list[DataCurve], models: list[np.ndarray], strain_max: float,
                   label: str) -> list[dict[str, Any]]:
    """One entry per condition of ``curves``: the data's slopes (each replica, their mean and
    standard deviation), the model's mean slope and their ratio; ``label`` names the set
    ("train" or "validate")."""
    entries = []
    for members in condition_groups(curves):
        spec = curves[members[0]].spec
        data = [loading_slope(curves[k].strain, curves[k].stress, strain_max) for k in members]
        model = float(np.mean([loading_slope(curves[k].strain, models[k], strain_max)
                               for k in members]))
        mean = float(np.mean(data))
        entries.append({
            "set": label, "glass": spec.glass, "loading": spec.loading, "rate_per_s": spec.rate,
            "temperature_K": spec.temperature, "replicas": len(members), "data_slopes_Pa": data,
            "data_slope_Pa": mean,
            "data_slope_sd_Pa": float(np.std(data, ddof=1)) if len(data) > 1 else None,
            "model_slope_Pa": model, "model_over_data": model / mean,
        })
    return entries
