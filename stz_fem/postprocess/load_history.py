"""Analysis of a run's history, sample by sample: where plastic flow starts, where the
localization index marks the onset of banding, where the load drops and where the stress peaks.

The inputs are columns of curve.csv (one sample per step) or of summary.json's
``band_history`` (one per field output), in the units their names carry (``_m``: m, ``_Pa``:
Pa, ``_per_s``: 1/s; nominal strains are dimensionless).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

LOAD_DROP = 0.005
"""Relative fall of the force in one fast event that counts as a load drop (a pop-in or a
serration; ``load_drop_rows``)."""


def first_flow(max_rate: npt.ArrayLike) -> int | None:
    """Index of the first sample of a run's history where plastic flow goes on anywhere
    (``max_rate``: the largest D at each sample, 1/s, > 0), None if it stayed elastic."""
    flowing = np.flatnonzero(np.asarray(max_rate, dtype=float) > 0.0)
    return int(flowing[0]) if flowing.size else None


def localization_onset(
    loads: npt.ArrayLike,
    localization: npt.ArrayLike,
    threshold: float = 0.5,
    flowing: npt.ArrayLike | None = None,
    fraction: float = 0.05,
) -> float | None:
    """Load at which the localization index rises above ``threshold`` (docs/model.md §6: 0.5)
    while it is informative.

    docs/model.md §6 takes the first crossing. Where the first plastic flow is confined to a stress
    concentrator (a notch root, an indenter's edge) less than ``fraction`` of the volume flows
    and L = 1 by construction, so that crossing is just the first yield, for any material
    state. With ``flowing`` (the flowing volume fraction at each load,
    :func:`stz_fem.postprocess.band_measures.flowing_fraction`) two corrections apply: samples
    where it is below ``fraction`` are not counted, and if L is above the threshold at the
    first counted sample, that is the onset only if L stays above it to the end of the
    record; if L falls to the threshold first, the concentrator's plastic zone spread out into
    diffuse flow, and the onset is the next rise through the threshold (annealed and
    rejuvenated notched bars: docs/validation.md).
    Without ``flowing`` every sample counts and the first crossing is returned, as in docs/model.md.

    Args:
        loads: load samples in the order they were reached (nominal strain, displacement in m,
            ...), shape (M,).
        localization: localization index L at each load, shape (M,).
        threshold: level of L that marks the onset of banding.
        flowing: flowing volume fraction at each load, shape (M,), or None.
        fraction: the volume fraction that L ranks (0.05 in
            :func:`stz_fem.postprocess.band_measures.localization_index`).

    Returns:
        The load, in the units of ``loads``, linearly interpolated between the last counted
        sample with L ≤ threshold and the next one, above it; the first counted load if L is
        above the threshold there and stays so (or, without ``flowing``, is above it there);
        None if L never rises above the threshold at a counted sample.
    """
    loads = np.asarray(loads, dtype=float)
    level = np.asarray(localization, dtype=float)
    if loads.ndim != 1 or loads.shape != level.shape:
        raise ValueError(
            f"loads and localization must be 1-D of equal length, got {loads.shape} and "
            f"{level.shape}"
        )
    if not (np.isfinite(loads).all() and np.isfinite(level).all()):
        raise ValueError("loads and localization must be finite")
    counted = np.ones(loads.shape, dtype=bool)
    if flowing is not None:
        flowing = np.asarray(flowing, dtype=float)
        if flowing.shape != loads.shape:
            raise ValueError(f"flowing must have the shape of loads, got {flowing.shape}")
        counted = flowing >= fraction
    samples = np.flatnonzero(counted)
    above = level[samples] > threshold
    if not above.any():
        return None
    if above[0] and (flowing is None or above.all()):
        return float(loads[samples[0]])
    below = np.flatnonzero(~above)
    rise = np.flatnonzero(above[below[0]:])
    if rise.size == 0:
        return None
    k = below[0] + int(rise[0])
    i, j = int(samples[k - 1]), int(samples[k])
    if i != j - 1:
        return float(loads[j])
    t = (threshold - level[i]) / (level[j] - level[i])
    return float(loads[i] + t * (loads[j] - loads[i]))


def band_summary(history: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary's ``bands`` section from the band measures of every field output
    (``history``: dicts with ``nominal_strain``, ``localization_index``, ``flowing_fraction``,
    ``plastic_work_J`` and the measures): the last output's measures, the localization onset
    (``localization_onset``: L counts once at least the 5 % it ranks flows, and a notch root's
    early L > 0.5 only if it lasts) and the plastic work (J) done before it."""
    if not history:
        return {"onset_nominal_strain": None, "plastic_work_before_onset_J": None}
    loads = [h["nominal_strain"] for h in history]
    onset = localization_onset(loads, [h["localization_index"] for h in history],
                               flowing=[h.get("flowing_fraction", 1.0) for h in history])
    work = [h.get("plastic_work_J", 0.0) for h in history]
    last = {k: v for k, v in history[-1].items()
            if k not in ("time_s", "nominal_strain", "plastic_work_J")}
    return {**last, "onset_nominal_strain": onset,
            "plastic_work_before_onset_J": (float(np.interp(onset, loads, work))
                                            if onset is not None else None)}


def load_drop_rows(position: npt.ArrayLike, force: npt.ArrayLike) -> list[tuple[int, int]]:
    """The load drops of a curve as sample ranges (i, j): maximal runs of steps along which
    the magnitude of ``force`` falls faster with the load point's travel (``position``,
    from 0) than the curve's secant |F/x| at the run's start — faster than it was loaded —
    and falls in all by more than ``LOAD_DROP`` (0.5 %) of |F| at i.

    A fast fall needs no single step to carry it: the adaptive steps resolve a pop-in or a
    serration in many small steps, each a small fall. A specimen that softens gradually (the
    force falls slower than the loading line rose) shows none."""
    x = np.abs(np.asarray(position, dtype=float))
    f = np.abs(np.asarray(force, dtype=float))
    drops = []
    k = 0
    while k < f.size - 1:
        if not (x[k] > 0.0 and f[k] > 0.0):
            k += 1
            continue
        secant = f[k] / x[k]
        j = k
        while j < f.size - 1 and f[j] - f[j + 1] > secant * abs(x[j + 1] - x[j]):
            j += 1
        if j > k and f[k] - f[j] > LOAD_DROP * f[k]:
            drops.append((k, j))
        k = max(j, k + 1)
    return drops


def load_drops(curve: dict[str, np.ndarray], position: str, force: str) -> list[dict[str, float]]:
    """The load drops of a curve (``load_drop_rows``: falls of the ``force`` magnitude faster
    than the loading line, by more than 0.5 %): pop-ins and serrations. Each is the
    position where it ends (under the key ``position``: a displacement in m or a nominal
    strain) and the relative drop of the force."""
    x, f = curve[position], np.abs(curve[force])
    return [{position: float(x[j]), "relative_drop": float(1.0 - f[j] / f[i])}
            for i, j in load_drop_rows(x, f)]


def peak_stress(curve: dict[str, np.ndarray], peak: int) -> dict[str, float]:
    """Nominal stress (Pa) and nominal strain at the curve sample ``peak``."""
    return {"peak_nominal_stress_Pa": float(curve["mean_stress_Pa"][peak]),
            "peak_nominal_strain": float(curve["nominal_strain"][peak])}
