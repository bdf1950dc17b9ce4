"""A finished finite-element run against a gridded MD field and stress curve.

The FE cell averages are binned onto the MD grid (volume-weighted, by cell centroid), so both
fields are compared at the MD coarse-graining resolution: band centre and FWHM across y (the
same measure on both), the Pearson correlation of the two maps, and the stress curves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from stz_fem.atomistic.grid_band import band_across_y
from stz_fem.atomistic.grid_fields import GridFields
from stz_fem.errors import InputError
from stz_fem.material_point import read_curve
from stz_fem.results import frames, read_cells


def cells_on_grid(
    coords: np.ndarray, volume: np.ndarray, values: np.ndarray, x: np.ndarray, y: np.ndarray,
    holes: bool = False,
) -> np.ndarray:
    """Volume-weighted mean of cell values in each cell of a uniform grid, [y, x].

    ``coords`` (n, 2) are cell centroids and ``x``, ``y`` the grid's cell-centre coordinates
    (m); every grid cell must hold at least one centroid (the FE mesh is finer than the grid),
    unless ``holes``: grid cells outside the body (a notch) are then nan.
    """
    dx, dy = x[1] - x[0], y[1] - y[0]
    ix = np.floor((coords[:, 0] - (x[0] - dx / 2)) / dx).astype(int)
    iy = np.floor((coords[:, 1] - (y[0] - dy / 2)) / dy).astype(int)
    inside = (ix >= 0) & (ix < len(x)) & (iy >= 0) & (iy < len(y))
    shape = (len(y), len(x))
    flat = np.ravel_multi_index((iy[inside], ix[inside]), shape)
    weight = np.bincount(flat, volume[inside], minlength=flat.size and np.prod(shape))
    total = np.bincount(flat, volume[inside] * values[inside], minlength=np.prod(shape))
    if holes:
        with np.errstate(invalid="ignore"):
            return (total / weight).reshape(shape)
    if np.any(weight == 0.0):
        raise InputError(
            f"the FE mesh is coarser than the {shape[1]} × {shape[0]} grid: "
            f"{int(np.sum(weight == 0.0))} grid cells hold no FE cell centroid"
        )
    return (total / weight).reshape(shape)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation coefficient of two equally shaped arrays."""
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def compare_fields(
    run: str | Path, grid: GridFields, md_key: str, md_frame: int, fe_key: str = "shear_strain",
) -> dict[str, Any]:
    """Band measures and correlation of an FE field output against MD frame ``md_frame``.

    The FE output nearest in nominal strain to the MD frame is used (the MD file's
    ``nominal_shear_strain`` per frame; the run's summary gives the FE strain rate).
    """
    md = np.asarray(grid.field(md_key)[md_frame], dtype=float)
    md_strain = float(grid.frames["nominal_shear_strain"][md_frame])
    listed = frames(run)
    curve = read_curve(Path(run) / "curve.csv")
    fe_strains = np.interp([t for t, _ in listed], curve["time_s"], curve["nominal_strain"],
                           left=0.0)
    k = int(np.argmin(np.abs(fe_strains - md_strain)))
    cells = read_cells(listed[k][1])
    if fe_key not in cells:
        raise InputError(f"{run}: field outputs have no {fe_key!r}; have {', '.join(cells)}")
    fe = cells_on_grid(cells["coords"], cells["volume"], cells[fe_key], grid.x_m, grid.y_m)
    period = grid.period_m[1]
    md_band = band_across_y(md, grid.y_m, period)
    fe_band = band_across_y(fe, grid.y_m, period)
    return {
        "md_frame": md_frame,
        "md_nominal_strain": md_strain,
        "fe_nominal_strain": float(fe_strains[k]),
        "band_centre_m": fe_band.centre,
        "band_fwhm_m": fe_band.width,
        "md_band_centre_m": md_band.centre,
        "md_band_fwhm_m": md_band.width,
        "strain_correlation": pearson(fe, md),
        "profile_correlation": pearson(fe.mean(axis=1), md.mean(axis=1)),
        "fe_on_grid": fe,
        "md": md,
    }


def compare_curves(
    run: str | Path, md_strain: np.ndarray, md_stress: np.ndarray,
) -> dict[str, float]:
    """FE mean stress against an MD stress–strain curve over the MD strains the run covers:
    RMS difference relative to the MD peak, and both peaks (Pa) with their strains."""
    curve = read_curve(Path(run) / "curve.csv")
    strain = np.concatenate([[0.0], curve["nominal_strain"]])
    stress = np.concatenate([[0.0], curve["mean_stress_Pa"]])
    covered = md_strain <= strain[-1] * (1 + 1e-9)
    fe_at_md = np.interp(md_strain[covered], strain, stress)
    md = md_stress[covered]
    peak = float(md.max())
    return {
        "stress_rms_relative_to_peak": float(np.sqrt(np.mean((fe_at_md - md) ** 2)) / peak),
        "md_peak_Pa": peak,
        "md_peak_strain": float(md_strain[covered][np.argmax(md)]),
        "fe_peak_Pa": float(stress.max()),
        "fe_peak_strain": float(strain[np.argmax(stress)]),
        "md_final_Pa": float(md[-1]),
        "fe_final_Pa": float(fe_at_md[-1]),
    }
