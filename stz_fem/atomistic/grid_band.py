"""Position and width of a shear band parallel to x in a gridded field (D²min or strain)."""

from dataclasses import dataclass

import numpy as np

from stz_fem.postprocess.profiles import fwhm, peak_centre


@dataclass(frozen=True)
class Band:
    """Band centre and full width at half maximum, in the units of the y coordinates."""

    centre: float
    width: float


def band_profile(field: np.ndarray) -> np.ndarray:
    """Profile along y of a field indexed [..., y, x], averaged over x."""
    return np.asarray(field, dtype=float).mean(axis=-1)


def band_across_y(field: np.ndarray, y: np.ndarray, period: float | None = None,
                  level: float = 0.5) -> Band:
    """The band in ``field`` [y, x] on cell-centre coordinates ``y``, periodic in y with
    ``period`` (default: the uniform grid's extent, len(y)·Δy): where the x-averaged profile
    exceeds min + level·(max − min). ``level`` = 0.5 is the half maximum above the far-field
    baseline, the profile's minimum (as ``stz_fem.postprocess.band_measures.band_width`` does
    for finite-element bands); other levels measure how much the figures depend on that choice."""
    y = np.asarray(y, dtype=float)
    if period is None:
        period = len(y) * (y[1] - y[0])
    profile = band_profile(field)
    low, high = float(profile.min()), float(profile.max())
    # the profile helpers cut at baseline + (max − baseline)/2: the baseline that puts that
    # cut at the asked level (exactly the minimum at level 0.5)
    baseline = low + (2.0 * level - 1.0) * (high - low)
    return Band(peak_centre(y, profile, period, baseline), fwhm(y, profile, period, baseline))
