"""A notched specimen's finite-element run against its gridded MD twin.

The MD fields are on a Lagrangian grid of the slab at strain 0 (stz_fem.atomistic.slab_grid),
the FE fields on the undeformed mesh; the FE cells are binned onto the MD grid (notch cells,
outside both bodies, are nan). Measures, the same on both: which notch root the band starts
from, the angles of its arms to the loading axis (y), the Pearson correlation of the two maps at
matched nominal strains, and the peak nominal stress with its strain.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from stz_fem.calibration.md_comparison import cells_on_grid
from stz_fem.material_point import read_curve
from stz_fem.results import frames, read_cells

SIDES = ("left", "right")


def fe_on_grid(
    run: str | Path, x: np.ndarray, y: np.ndarray, strains: np.ndarray, key: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The FE cell field ``key`` binned on the grid (cell centres ``x``, ``y`` in m) at the
    field outputs nearest to each nominal strain: ([frame, y, x], the FE outputs' strains)."""
    listed = frames(run)
    curve = read_curve(Path(run) / "curve.csv")
    fe_strains = np.interp([t for t, _ in listed], curve["time_s"], curve["nominal_strain"],
                           left=0.0)
    maps, used = [], []
    for strain in np.atleast_1d(strains):
        k = int(np.argmin(np.abs(fe_strains - strain)))
        cells = read_cells(listed[k][1])
        maps.append(cells_on_grid(cells["coords"], cells["volume"], cells[key], x, y,
                                  holes=True))
        used.append(fe_strains[k])
    return np.stack(maps), np.array(used)


def excess(field: np.ndarray) -> np.ndarray:
    """The field above its median over the body (nan cells are outside it): the localized part,
    without the nearly uniform elastic background."""
    return field - np.nanmedian(field)


def root_activity(
    field: np.ndarray, x: np.ndarray, y: np.ndarray, roots: np.ndarray, radius: float,
) -> np.ndarray:
    """Mean excess of ``field`` [y, x] over the grid cells within ``radius`` (m) of each notch
    root (rows of ``roots``, m)."""
    gx, gy = np.meshgrid(x, y)
    above = excess(field)
    return np.array([np.nanmean(above[np.hypot(gx - rx, gy - ry) <= radius])
                     for rx, ry in roots])


def birth_frame(activity: np.ndarray, fraction: float = 0.25) -> int:
    """The first frame at which the more active root (``activity`` [frame, root]) reaches
    ``fraction`` of its final activity: where the band is born, before the other root joins."""
    lead = activity.max(axis=1)
    return int(np.argmax(lead >= fraction * lead[-1]))


def start_side(activity: np.ndarray, tie: float = 0.1) -> str:
    """"left" or "right": the root with more activity; "both" when they are within ``tie``
    (a fraction of the larger)."""
    left, right = activity
    if abs(left - right) <= tie * max(abs(left), abs(right)):
        return "both"
    return SIDES[int(right > left)]


def arm_angles(
    field: np.ndarray, x: np.ndarray, y: np.ndarray, roots: np.ndarray, centre_x: float,
) -> np.ndarray:
    """Angles (degrees, 0–90) to the loading axis y of the band arms that leave each notch root
    (rows of ``roots``, m) downwards and upwards, ordered left root down, up, right root down,
    up: the ray from the root to the ligament's middle ``centre_x`` (m) along which the mean of
    ``field`` (bilinear, cells outside the body as the field's minimum) is largest, scanned in
    0.5° steps. Double-notched bars grow an X or a diamond of arms from both roots, whose
    second moment as a whole has no useful axis."""
    filled = np.where(np.isfinite(field), field, np.nanmin(field))
    sample = RegularGridInterpolator((y, x), filled, bounds_error=False, fill_value=None)
    angles = np.radians(np.arange(5.0, 85.25, 0.5))
    t = np.linspace(0.0, 1.0, 41)
    found = []
    for root in roots:
        run = centre_x - root[0]
        for up in (-1.0, 1.0):
            # the ray reaches the middle after |run| along x, |run|/tan θ along y
            ends_y = root[1] + up * abs(run) / np.tan(angles)
            points = np.stack([root[1] + np.outer(ends_y - root[1], t),
                               root[0] + np.outer(np.full_like(angles, run), t)], axis=-1)
            found.append(np.degrees(angles[np.argmax(sample(points).mean(axis=1))]))
    return np.array(found)


def map_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two [y, x] maps over the cells where both are defined."""
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[both], b[both])[0, 1])


def peak(strain: np.ndarray, stress: np.ndarray) -> dict[str, float]:
    """Peak nominal stress (Pa) and the nominal strain where it occurs."""
    k = int(np.argmax(stress))
    return {"peak_stress_Pa": float(stress[k]), "peak_strain": float(strain[k])}
