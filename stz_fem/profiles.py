"""Peak centre and full width at half maximum of 1-D profiles, optionally periodic.

Used for shear bands: a profile of plastic strain (or D²min) across the band. Half maximum is
``baseline + (max − baseline)/2``; crossings are found by linear interpolation between the
samples on each side of the highest sample. ``x`` must increase; with a ``period`` the profile
wraps (samples cover one period) and the peak is searched up to half a period on each side.
Results are in the units of ``x``; NaN where the profile never drops below half maximum.
"""

import numpy as np


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
    """Positions left and right of the peak where ``f`` crosses half maximum (left may be
    below x[0] and right above x[-1] for a periodic profile)."""
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
    """Centroid of ``f`` − half maximum over the contiguous samples above half maximum around
    the highest sample; periodic centres are folded into the period that the samples span
    (from half a sample gap before x[0])."""
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
