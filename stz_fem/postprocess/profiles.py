"""1-D profiles of a field: slab averages of cell data along a direction, peak centre and full
width at half maximum, and the bands along a surface (their count, spacing and period).

Half maximum is ``baseline + (max − baseline)/2``; its crossings are found by linear
interpolation between the samples on each side of the highest sample. Positions ``x`` must
increase; with a ``period`` the profile wraps (the samples cover one period) and the peak is
searched up to half a period on each side. Widths, centres, spacings and periods are in the
units of the positions (m for finite-element profiles); nan where undefined.

Used for shear bands: a profile of plastic strain (or D²min) across a band
(:func:`stz_fem.postprocess.band_measures.band_width`, ``stz_fem.atomistic.grid_band``) or
along the tensile face of a beam (:func:`surface_profile`, :func:`band_count_and_spacing`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from stz_fem.postprocess.cells import FloatArray, cell_data

# --- peak centre and width ----------------------------------------------------------------


def _around_peak(
    x: np.ndarray, f: np.ndarray, period: float | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Samples reordered so that the maximum sits at index ``c`` (the middle when periodic),
    with x unwrapped to increase across the period boundary."""
    x = np.asarray(x, dtype=float)
    f = np.asarray(f, dtype=float)
    k = int(np.argmax(f))
    if period is None:
        return x, f, k
    c = len(f) // 2
    order = np.arange(len(f)) + k - c
    return x[order % len(f)] + period * (order // len(f)), f[order % len(f)], c


def _half_level(f: np.ndarray, baseline: float) -> float:
    return baseline + 0.5 * (np.max(f) - baseline)


def half_max_crossings(
    x: np.ndarray, f: np.ndarray, period: float | None = None, baseline: float = 0.0
) -> tuple[float, float]:
    """Positions left and right of the peak where ``f`` crosses half maximum (units of x;
    left may be below x[0] and right above x[-1] for a periodic profile)."""
    xr, fr, c = _around_peak(x, f, period)
    half = _half_level(fr, baseline)
    below = np.flatnonzero(fr < half)
    left_of, right_of = below[below < c], below[below > c]
    left = right = np.nan
    if left_of.size:
        a = left_of[-1]
        left = xr[a] + (half - fr[a]) * (xr[a + 1] - xr[a]) / (fr[a + 1] - fr[a])
    if right_of.size:
        b = right_of[0]
        right = xr[b - 1] + (half - fr[b - 1]) * (xr[b] - xr[b - 1]) / (fr[b] - fr[b - 1])
    return float(left), float(right)


def fwhm(x: np.ndarray, f: np.ndarray, period: float | None = None, baseline: float = 0.0) -> float:
    """Full width at half maximum of the highest peak (units of x)."""
    left, right = half_max_crossings(x, f, period, baseline)
    return right - left


def peak_centre(
    x: np.ndarray, f: np.ndarray, period: float | None = None, baseline: float = 0.0
) -> float:
    """Centroid (units of x) of ``f`` − half maximum over the contiguous samples above half
    maximum around the highest sample; periodic centres are folded into the period that the
    samples span (from half a sample gap before x[0])."""
    xr, fr, c = _around_peak(x, f, period)
    half = _half_level(fr, baseline)
    below = np.flatnonzero(fr < half)
    start = below[below < c].max(initial=-1) + 1
    stop = below[below > c].min(initial=len(fr))
    weight = fr[start:stop] - half
    centre = float(np.sum(weight * xr[start:stop]) / np.sum(weight))
    if period is None:
        return centre
    x = np.asarray(x, dtype=float)
    lo = x[0] - 0.5 * (period - (x[-1] - x[0]))
    return float(lo + (centre - lo) % period)


# --- profiles of cell data ----------------------------------------------------------------


def slab_profile(
    distance: FloatArray, volume: FloatArray, values: FloatArray, low: float, high: float,
    nbins: int,
) -> tuple[FloatArray, FloatArray]:
    """Volume-weighted averages of ``values`` in ``nbins`` slabs of ``distance`` (m) from
    ``low`` to ``high`` (m), each placed at the weighted mean position of its cells (m);
    empty slabs (a graded mesh, the domain's edge) are left out."""
    # Slabs centred on the extreme positions: on a mesh aligned with the normal every row of
    # cells then falls in the middle of its own slab rather than on a slab boundary.
    step = (high - low) / (nbins - 1)
    slab = np.clip(np.floor((distance - low) / step + 0.5).astype(np.intp), 0, nbins - 1)
    weight = np.bincount(slab, weights=volume, minlength=nbins)
    filled = weight > 0.0
    position = np.bincount(slab, weights=volume * distance, minlength=nbins)[filled]
    profile = np.bincount(slab, weights=volume * values, minlength=nbins)[filled]
    return position / weight[filled], profile / weight[filled]


def surface_profile(
    coords: npt.ArrayLike,
    volume: npt.ArrayLike,
    values: npt.ArrayLike,
    surface: float,
    depth: float,
    start: float,
    stop: float,
    bin_width: float,
) -> tuple[FloatArray, FloatArray]:
    """Profile of a field along the plane surface y = ``surface`` (m) of a 2-D specimen, from
    the cells (centroids ``coords`` in m, areas ``volume`` in m²) whose centroids lie within
    ``depth`` (m) of it and between x = ``start`` and ``stop`` (m).

    Returns the positions along x (m) and the volume-weighted averages of ``values`` (their
    unit) in slabs about ``bin_width`` (m) wide (empty slabs left out), for
    :func:`band_count_and_spacing`.
    """
    coords, volume, (values,) = cell_data(coords, volume, values)
    if not (depth > 0.0 and bin_width > 0.0 and stop > start):
        raise ValueError(f"need depth > 0, bin_width > 0 and stop > start, got {depth}, "
                         f"{bin_width}, {start}..{stop}")
    x = coords[:, 0]
    near = (np.abs(coords[:, 1] - surface) <= depth) & (x >= start) & (x <= stop)
    nbins = max(round((stop - start) / bin_width) + 1, 3)
    return slab_profile(x[near], volume[near], values[near], start, stop, nbins)


# --- bands along a surface ----------------------------------------------------------------


class BandCount(NamedTuple):
    """Result of :func:`band_count_and_spacing`.

    Attributes:
        count: number of distinct bands meeting the surface.
        spacing: mean distance between neighbouring bands, m; nan if count < 2.
        per_length: bands per unit length of the surface, 1/m (docs/model.md §6).
        positions: where the bands meet the surface, m, ascending, shape (count,).
    """

    count: int
    spacing: float
    per_length: float
    positions: FloatArray


def _sorted_profile(positions: npt.ArrayLike, values: npt.ArrayLike,
                    ) -> tuple[FloatArray, FloatArray]:
    """A profile's samples as float arrays in ascending order of position; the shapes must
    agree and be 1-D."""
    positions = np.asarray(positions, dtype=float)
    values = np.asarray(values, dtype=float)
    if positions.ndim != 1 or positions.shape != values.shape:
        raise ValueError(f"positions and values must be 1-D of equal length, got "
                         f"{positions.shape} and {values.shape}")
    order = np.argsort(positions, kind="stable")
    return positions[order], values[order]


def band_count_and_spacing(
    positions: npt.ArrayLike,
    values: npt.ArrayLike,
    length: float,
    threshold: float = 0.5,
    min_prominence: float = 0.0,
) -> BandCount:
    """Distinct bands meeting a surface, from a profile along it (docs/model.md §6, bending).

    A band is a peak of the profile whose prominence is at least ``threshold`` times that of
    the highest peak, which is its height above the profile's minimum (the baseline). Peaks
    with a single sample between them are not resolved and count as one band (the higher).
    A maximum at an end of the profile counts as a band meeting the surface there. A flat
    profile has no band; a nearly flat, noisy one has as many as its noise makes.

    Args:
        positions: positions of the samples along the surface, m, shape (M,), any order.
        values: field at the samples, e.g. accumulated plastic strain on the tensile surface,
            shape (M,).
        length: length of the surface, m, for the number of bands per unit length.
        threshold: minimal prominence relative to the highest peak's, in (0, 1].
        min_prominence: minimal prominence in the units of ``values`` (e.g. a plastic strain
            below which nothing counts as a band).

    Returns:
        :class:`BandCount` (count, spacing in m, bands per metre, positions in m); the
        spacing is the mean distance between neighbouring bands, nan if fewer than two.
    """
    positions, values = _sorted_profile(positions, values)
    if positions.size == 0:
        raise ValueError("positions and values must not be empty")
    if not (np.isfinite(positions).all() and np.isfinite(values).all()):
        raise ValueError("positions and values must be finite")
    if not length > 0.0:
        raise ValueError(f"length must be positive, got {length}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    baseline = values.min()
    span = values.max() - baseline
    if span <= 0.0 or span < min_prominence:
        return BandCount(0, math.nan, 0.0, np.empty(0))
    # Baseline samples beyond both ends let find_peaks see maxima at the ends and give the
    # highest peak a prominence of exactly `span`.
    padded = np.concatenate(([baseline], values, [baseline]))
    peaks, _ = find_peaks(padded, distance=3, prominence=max(threshold * span, min_prominence))
    at = positions[peaks - 1]
    spacing = float(np.diff(at).mean()) if at.size >= 2 else math.nan
    return BandCount(int(at.size), spacing, float(at.size / length), at)


def profile_period(positions: npt.ArrayLike, values: npt.ArrayLike) -> float:
    """Spacing of a quasi-periodic profile along a surface without a prominence threshold:
    the lag of the first maximum of its autocorrelation past the first zero crossing.

    The profile is resampled on a uniform grid at its median sample spacing and its linear
    trend removed; the autocorrelation is normalized by the number of overlapping samples and
    searched up to half the profile's length. Where :func:`band_count_and_spacing` gives the
    spacing of the peaks that pass a mark, this is the repeat distance of the whole pattern.

    Args:
        positions: positions of the samples along the surface, m, shape (M,), any order.
        values: field at the samples, shape (M,).

    Returns:
        The period, m; nan if the profile has no positive autocorrelation maximum (no
        repeating pattern within half its length) or fewer than four samples.
    """
    positions, values = _sorted_profile(positions, values)
    if positions.size < 4:
        return math.nan
    step = float(np.median(np.diff(positions)))
    grid = np.arange(positions[0], positions[-1] + 0.5 * step, step)
    profile = np.interp(grid, positions, values)
    profile -= np.polyval(np.polyfit(grid, profile, 1), grid)
    n = grid.size
    if np.ptp(profile) <= 1e-9 * np.abs(values).max():  # a straight line: no pattern
        return math.nan
    overlap = n - np.arange(n)
    acf = np.correlate(profile, profile, "full")[n - 1:] / overlap
    acf = acf[: n // 2 + 1] / acf[0]
    negative = np.flatnonzero(acf <= 0.0)
    if negative.size == 0:
        return math.nan
    after = acf[negative[0]:]
    peaks, _ = find_peaks(after)
    peaks = peaks[after[peaks] > 0.0]
    return float((negative[0] + peaks[0]) * step) if peaks.size else math.nan
