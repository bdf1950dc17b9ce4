"""Checks of cell data and the geometry of periodic domains, shared by the band measures
(:mod:`stz_fem.postprocess.band_measures`) and the surface profiles
(:mod:`stz_fem.postprocess.profiles`).

Cell data are arrays gathered on one process: ``coords`` (N, dim) cell centroids in metres
(dim 2 or 3), ``volume`` (N,) cell volumes in m³ (areas in m² in 2-D, or quadrature weights)
and per-cell fields of shape (N,).

Periodicity is given per coordinate axis: ``period = (Lx, None)`` says the domain repeats every
``Lx`` metres along x and is bounded along y. Offsets between points are then taken as minimum
images, so that a band that straddles a periodic boundary is measured as one band.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Period = Sequence[float | None] | None


def volumes(volume: npt.ArrayLike) -> FloatArray:
    """``volume`` (m³, m² in 2-D) as a float array, checked to be 1-D, finite and positive."""
    volume = np.asarray(volume, dtype=float)
    if volume.ndim != 1 or volume.size == 0:
        raise ValueError(f"volume must be a non-empty 1-D array, got shape {volume.shape}")
    if not (np.isfinite(volume).all() and (volume > 0.0).all()):
        raise ValueError("volume must be finite and positive")
    return volume


def cell_fields(n: int, *fields: npt.ArrayLike) -> list[FloatArray]:
    """The per-cell ``fields`` as float arrays, checked to be finite with one value per cell
    of the ``n`` cells."""
    arrays = [np.asarray(field, dtype=float) for field in fields]
    for array in arrays:
        if array.shape != (n,):
            raise ValueError(f"a cell field has shape {array.shape} for {n} cells")
        if not np.isfinite(array).all():
            raise ValueError("cell fields must be finite")
    return arrays


def coordinates(coords: npt.ArrayLike, n: int) -> FloatArray:
    """Cell centroids (m) as a float array, checked to be finite with shape (n, 2) or
    (n, 3)."""
    coords = np.asarray(coords, dtype=float)
    if coords.shape not in ((n, 2), (n, 3)):
        raise ValueError(f"coords must have shape ({n}, 2) or ({n}, 3), got {coords.shape}")
    if not np.isfinite(coords).all():
        raise ValueError("coords must be finite")
    return coords


def cell_data(coords: npt.ArrayLike, volume: npt.ArrayLike, *fields: npt.ArrayLike
              ) -> tuple[FloatArray, FloatArray, list[FloatArray]]:
    """Centroids (m), volumes (m³, m² in 2-D) and per-cell ``fields`` of one set of cells as
    float arrays, checked by :func:`coordinates`, :func:`volumes` and :func:`cell_fields`."""
    volume = volumes(volume)
    return coordinates(coords, volume.size), volume, cell_fields(volume.size, *fields)


def unit_vector(vector: npt.ArrayLike) -> FloatArray:
    """``vector`` (any length, any unit) scaled to length 1."""
    vector = np.asarray(vector, dtype=float).ravel()
    norm = np.linalg.norm(vector)
    if not (np.isfinite(norm) and norm > 0.0):
        raise ValueError(f"direction vector must be finite and non-zero, got {vector}")
    return vector / norm


def axis_vector(axis: int | npt.ArrayLike, dim: int) -> FloatArray:
    """Unit vector along a loading axis given as a coordinate index (0 for x) or a vector."""
    if isinstance(axis, int | np.integer):
        if not 0 <= axis < dim:
            raise ValueError(f"loading axis index must be in [0, {dim}), got {axis}")
        return np.eye(dim)[axis]
    vector = unit_vector(axis)
    if vector.size != dim:
        raise ValueError(f"loading axis vector has {vector.size} components in {dim}-D")
    return vector


def periods(period: Period, dim: int) -> FloatArray:
    """Per-axis periods (m), nan for bounded axes."""
    if period is None:
        return np.full(dim, np.nan)
    if len(period) != dim:
        raise ValueError(f"period must have {dim} entries (None for bounded axes), got {period}")
    values = np.array([np.nan if p is None else p for p in period], dtype=float)
    if (values[~np.isnan(values)] <= 0.0).any() or np.isinf(values).any():
        raise ValueError(f"periods must be positive and finite, got {period}")
    return values


def min_image(offsets: FloatArray, periods: FloatArray) -> FloatArray:
    """Offsets (m, shape (N, dim)) replaced by their shortest images along periodic axes
    (``periods`` from :func:`periods`)."""
    periodic = ~np.isnan(periods)
    if not periodic.any():
        return offsets
    wrapped = offsets.copy()
    wrapped[:, periodic] -= periods[periodic] * np.round(offsets[:, periodic] / periods[periodic])
    return wrapped


def circular_mean(points: FloatArray, weights: FloatArray, periods: FloatArray) -> FloatArray:
    """Weighted mean (m), taken on the circle along periodic axes.

    Along a periodic axis it is the centre of a region symmetric about its centre (a straight
    band) shorter than the period, wherever the periodic boundary cuts it, which makes it a
    safe origin for minimum-image offsets.
    """
    mean = weights @ points / weights.sum()
    periodic = ~np.isnan(periods)
    phase = (2.0 * np.pi / periods[periodic]) * points[:, periodic]
    angle = np.arctan2(weights @ np.sin(phase), weights @ np.cos(phase))
    mean[periodic] = angle * periods[periodic] / (2.0 * np.pi)
    return mean


def wrap_into_domain(point: FloatArray, coords: FloatArray, periods: FloatArray) -> FloatArray:
    """The image of ``point`` (m) within half a period of the middle of the cells' span."""
    middle = 0.5 * (coords.min(axis=0) + coords.max(axis=0))
    return middle + min_image((point - middle)[None, :], periods)[0]
