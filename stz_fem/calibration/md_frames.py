"""FE-vs-MD figures of one frame with their measurement uncertainty (``stz-fem compare-md``).

Each figure (band centre error, FWHM of FE and MD and their relative error, Pearson r of the
strain maps; lengths in m) is computed in a standard way (half maximum above the far-field
minimum of the x-averaged profile, the MD grid, MD frame k) and in variants:

- the level that defines the band: 0.4, 0.5 or 0.6 of the way from the profile's minimum to
  its maximum (``LEVELS``, ``grid_band.band_across_y``);
- the grid: the MD grid, or its 2 × 2 block means (twice the cell size);
- the MD frame: k, or its neighbours k ± 1 (0.005 apart in strain in the Kontolati data: the
  MD maps' thermal noise).

The uncertainty of a figure is the largest change from its standard value over all variants.
For the stress RMS (relative to the MD peak) it is the change when the MD curve is replaced
by its running mean over ``SMOOTH`` samples (the MD curve's noise).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stz_fem.calibration.field_objective import measures, stress_rms

LEVELS = (0.4, 0.5, 0.6)
SMOOTH = 11
"""MD curve samples of the running mean in the stress-RMS variant."""


def coarsen(field: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2 × 2 block means of ``field`` [y, x] (even sizes) and the coarse cell centres in y."""
    ny, nx = field.shape
    blocks = field[: ny // 2 * 2, : nx // 2 * 2].reshape(ny // 2, 2, nx // 2, 2).mean(axis=(1, 3))
    return blocks, y[: ny // 2 * 2].reshape(-1, 2).mean(axis=1)


def frame_figures(fe: np.ndarray, md_frames: list[np.ndarray], y: np.ndarray,
                  period: float) -> dict[str, Any]:
    """Standard figures of ``fe`` against ``md_frames[0]`` (MD frame k) and their uncertainty
    over the variants of the module docstring (``md_frames[1:]``: frames k ± 1)."""
    value = measures(fe, md_frames[0], y, period)
    variants = []
    fe_coarse, y_coarse = coarsen(fe, y)
    with np.errstate(invalid="ignore", divide="ignore"):  # a neighbour without a band: nan
        for md in md_frames:
            md_coarse, _ = coarsen(md, y)
            for level in LEVELS:
                variants.append(measures(fe, md, y, period, level))
                variants.append(measures(fe_coarse, md_coarse, y_coarse, period, level))
    uncertainty = {k: float(np.nanmax([abs(v[k] - value[k]) for v in variants]))
                   for k in value}
    return {"value": value, "uncertainty": uncertainty, "variants": len(variants)}


def running_mean(values: np.ndarray, window: int = SMOOTH) -> np.ndarray:
    """Centred running mean over ``window`` samples (the ends over the samples there are)."""
    kernel = np.ones(window)
    total = np.convolve(values, kernel, mode="same")
    count = np.convolve(np.ones_like(values), kernel, mode="same")
    return total / count


def stress_figure(fe_strain: np.ndarray, fe_stress: np.ndarray, md_strain: np.ndarray,
                  md_stress: np.ndarray) -> dict[str, float]:
    """Stress RMS relative to the MD peak and its uncertainty (module docstring)."""
    raw = stress_rms(fe_strain, fe_stress, md_strain, md_stress)
    smooth = stress_rms(fe_strain, fe_stress, md_strain, running_mean(md_stress))
    return {"value": raw, "uncertainty": abs(raw - smooth)}
