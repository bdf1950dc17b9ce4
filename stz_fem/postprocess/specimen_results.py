"""What a specimen's run reports beyond the band measures of its cells, computed from what the
specimen declares (``stz_fem.specimens.base.Specimen``): the bands on its tensile surface
(``tensile_surface()``), the quantities of its load curve (``curve_results``) and the load
curve that run.png plots (``load_axes``).

Specimens only declare; this module computes, so that the specimens need none of the analysis
and every specimen's summary is computed the same way. ``curve`` is curve.csv's columns (as
``stz_fem.material_point.read_curve`` gives them, SI units as the names say), ``cells`` the
cell data of one state (as ``CellFields.gather`` or ``stz_fem.results.read_cells`` give them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from stz_fem.postprocess.load_history import first_flow, load_drops, peak_stress
from stz_fem.postprocess.profiles import band_count_and_spacing, profile_period, surface_profile

if TYPE_CHECKING:
    from stz_fem.specimens.base import Specimen

SURFACE_BAND_STRAIN = 0.01
"""Accumulated plastic strain by which a band must stand out on a tensile surface."""


def tensile_profile(specimen: Specimen, cells: dict[str, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Accumulated plastic strain along the specimen's tensile surface: the positions (m) and
    the averages over the cells within two element sizes (``mesh.size``) of it in slabs one
    element wide, and the length (m) of the stretch. None for specimens without a tensile
    surface."""
    surface = specimen.tensile_surface()
    if surface is None:
        return None
    y, start, stop = surface
    size = specimen.case.mesh.size
    x, profile = surface_profile(cells["coords"], cells["volume"], cells["plastic_strain"], y,
                                 2.0 * size, start, stop, size)
    return x, profile, stop - start


def surface_bands(specimen: Specimen, cells: dict[str, np.ndarray], threshold: float = 0.5
                  ) -> dict[str, Any]:
    """Bands meeting the specimen's tensile surface: count, spacing (m) and positions (m) of
    the peaks of :func:`tensile_profile` that rise by at least ``SURFACE_BAND_STRAIN`` above
    the surface's minimum with a prominence of at least ``threshold`` times the highest
    peak's (0.5, the summary's, counts the dominant bands), and the profile's period (m, no
    threshold: ``profiles.profile_period``). Empty for specimens without a tensile surface;
    None for what is undefined, so that the dict is JSON-ready."""
    profile = tensile_profile(specimen, cells)
    if profile is None:
        return {}
    x, values, length = profile
    found = band_count_and_spacing(x, values, length, threshold,
                                   min_prominence=SURFACE_BAND_STRAIN)
    period = profile_period(x, values)
    return {"count": found.count,
            "spacing_m": found.spacing if np.isfinite(found.spacing) else None,
            "positions_m": found.positions.tolist(),
            "period_m": float(period) if np.isfinite(period) else None}


def specimen_results(specimen: Specimen, curve: dict[str, np.ndarray]) -> dict[str, Any]:
    """summary.json's ``specimen_results``: what ``specimen.curve_results`` asks for, in this
    order: the columns at the first plastic flow, the peak column's maximum, the columns'
    final values and their values at the peak, the nominal stress (Pa) and strain at the
    peak, and the load drops. Values in the units of their columns."""
    wanted = specimen.curve_results
    peaked = curve[wanted.peak]
    peak = int(np.argmax(np.abs(peaked) if wanted.peak_magnitude else peaked))
    first = first_flow(curve["max_D_per_s"]) if wanted.at_first_flow else None
    results: dict[str, Any] = {
        f"plasticity_onset_{column}": None if first is None else float(curve[column][first])
        for column in wanted.at_first_flow}
    if wanted.report_max:
        results[f"max_{wanted.peak}"] = float(peaked[peak])
    results.update({key: float(curve[column][-1]) for key, column in wanted.final})
    results.update({key: float(curve[column][peak]) for key, column in wanted.at_peak})
    if wanted.peak_stress:
        results.update(peak_stress(curve, peak))
    if wanted.load_drops is not None:
        results["load_drops"] = load_drops(curve, *wanted.load_drops)
    results.update({f"max_abs_{c}": float(np.abs(curve[c]).max()) for c in wanted.max_abs})
    return results


def load_curve(specimen: Specimen, curve: dict[str, np.ndarray]
               ) -> tuple[np.ndarray, np.ndarray, str, str]:
    """What run.png plots as the specimen's load curve: (x, y, x label, y label), the values
    in the labels' units (``specimen.load_axes``; by default the nominal stress in GPa against
    the nominal strain)."""
    axes = specimen.load_axes
    if axes is None:
        return (curve["nominal_strain"], curve["mean_stress_Pa"] / 1e9, specimen.strain_label,
                specimen.stress_label.replace("(Pa)", "(GPa)"))
    x, y = axes
    return curve[x.column] / x.unit, curve[y.column] / y.unit, x.label, y.label
