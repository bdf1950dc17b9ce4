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


def band_across_y(field: np.ndarray, y: np.ndarray, period: float | None = None) -> Band:
    """The band in ``field`` [y, x] on cell-centre coordinates ``y``, periodic in y with
    ``period`` (default: the uniform grid's extent, len(y)·Δy). Half maximum is measured from
    the profile's minimum, the far-field baseline (as
    ``stz_fem.postprocess.band_measures.band_width`` does for finite-element bands)."""
    y = np.asarray(y, dtype=float)
    if period is None:
        period = len(y) * (y[1] - y[0])
    profile = band_profile(field)
    baseline = float(profile.min())
    return Band(peak_centre(y, profile, period, baseline), fwhm(y, profile, period, baseline))
