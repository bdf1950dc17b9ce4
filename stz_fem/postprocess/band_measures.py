"""Shear-band measures (docs/model.md §6) over the cells of one state: the localization index L,
the flowing volume fraction, the band's orientation, centre and width, and the angles of an X
of crossing bands.

Every function takes cell data already gathered on one process (see
:mod:`stz_fem.postprocess.cells`): ``coords`` (N, dim) cell centroids in m, ``volume`` (N,)
cell volumes in m³ (m² in 2-D) and per-cell fields. Every measure is volume-weighted, so that a
finer or non-uniform mesh of the same field gives the same answer; ``period`` (m per axis,
None for bounded axes) makes offsets minimum images.

Undefined values are ``nan`` in the low-level functions; :func:`band_measures` turns them into
``None`` so that its dict is JSON-serializable as is.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from stz_fem.postprocess.cells import (
    FloatArray,
    Period,
    axis_vector,
    cell_data,
    cell_fields,
    circular_mean,
    min_image,
    periods,
    unit_vector,
    volumes,
    wrap_into_domain,
)
from stz_fem.postprocess.profiles import fwhm, slab_profile

# Relative eigenvalue gap below which the second moment of the band region is taken as
# isotropic (a single cell, a round blob): its principal axes are then arbitrary.
_ISOTROPY_TOLERANCE = 1e-9


class BandOrientation(NamedTuple):
    """Result of :func:`band_orientation`.

    Attributes:
        angle_deg: angle between the band and the loading axis, degrees in [0, 90]; nan if
            undefined.
        centre: volume-weighted centroid of the band region, m, shape (dim,); nan if no region.
        normal: unit normal of the band, shape (dim,), sign fixed so that its largest
            component is positive; nan if undefined.
    """

    angle_deg: float
    centre: FloatArray
    normal: FloatArray


def localization_index(
    rate: npt.ArrayLike,
    dissipation: npt.ArrayLike,
    volume: npt.ArrayLike,
    fraction: float = 0.05,
) -> float:
    """Fraction of the plastic dissipation carried by the most strongly flowing volume.

    The cells are ranked by plastic rate and the first ``fraction`` of the total volume is
    taken, the cell that straddles the boundary counting with the matching part of its volume,
    so that L is a continuous function of the fields and homogeneous flow gives exactly
    ``fraction`` on any mesh. Cells of equal rate form one group that is taken proportionally,
    so the result does not depend on how ties would be ordered.

    Args:
        rate: plastic rate D per cell, 1/s, shape (N,).
        dissipation: plastic dissipation density 2·D·s̄ per cell, W/m³ (any unit: only ratios
            matter), ≥ 0, shape (N,).
        volume: cell volumes, m³ (m² in 2-D), > 0, shape (N,).
        fraction: volume fraction of the specimen that is taken, in (0, 1]; docs/model.md: 0.05.

    Returns:
        L in [0, 1]: ``fraction`` for homogeneous flow, 1 when all dissipation happens in at
        most ``fraction`` of the volume. With no dissipation at all (an elastic state) there is
        no band and L = 0, so that
        :func:`stz_fem.postprocess.load_history.localization_onset` sees it as not localized.
    """
    volume = volumes(volume)
    rate, dissipation = cell_fields(volume.size, rate, dissipation)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    heat = dissipation * volume
    total = heat.sum()
    if total <= 0.0:
        return 0.0
    _, group = np.unique(rate, return_inverse=True)
    group_volume = np.bincount(group, weights=volume)[::-1]
    group_heat = np.bincount(group, weights=heat)[::-1]
    volume_before = np.cumsum(group_volume) - group_volume
    taken = np.clip((fraction * volume.sum() - volume_before) / group_volume, 0.0, 1.0)
    return float(taken @ group_heat / total)


def flowing_fraction(rate: npt.ArrayLike, volume: npt.ArrayLike) -> float:
    """Fraction of the volume where plastic flow goes on (D > 0).

    While it is below the 5 % that :func:`localization_index` ranks, all the dissipation is in
    that 5 % and L = 1 whatever the flow's shape: L says nothing about bands then.
    """
    volume = volumes(volume)
    (rate,) = cell_fields(volume.size, rate)
    return float(volume[rate > 0.0].sum() / volume.sum())


def band_orientation(
    coords: npt.ArrayLike,
    volume: npt.ArrayLike,
    rate: npt.ArrayLike,
    loading_axis: int | npt.ArrayLike,
    period: Period = None,
) -> BandOrientation:
    """Orientation and centre of the band from the second moment of its flowing region.

    The band region is where ``rate`` ≥ ½ max(rate). Its volume-weighted second moment about
    its weighted centroid has the band normal as the axis of least extent. In 2-D the band
    direction is the perpendicular (largest-extent) axis and the angle is the one between that
    direction and the loading axis; in 3-D the band is a plane and the angle is the one between
    that plane and the loading axis (90° minus the angle to the normal), which reduces to the
    2-D definition for a band through the thickness.

    With ``period``, offsets are minimum images about the region's circular mean, so a straight
    band that crosses a periodic boundary, or that runs along a periodic direction through the
    whole domain, is handled. A band that wraps around a periodic boundary at an angle is
    handled only while it extends over less than one period along that axis (its circular mean
    is then its centre); beyond that its images mix into the second moment. Several disjoint
    bands are measured as one region.

    Args:
        coords: cell centroids, m, shape (N, dim), dim 2 or 3.
        volume: cell volumes, m³ (m² in 2-D), > 0, shape (N,).
        rate: plastic rate D per cell, 1/s, shape (N,).
        loading_axis: index of the coordinate axis of the load (0 for x) or a vector along it.
        period: per-axis period of the domain, m, ``None`` entries for bounded axes.

    Returns:
        :class:`BandOrientation` (angle_deg, centre, normal). The angle and normal are nan when
        nothing flows or when the region has no least-extent axis (a single cell, a round
        blob; in 3-D also a rod, e.g. a plate thinner than the band: pass 2-D data then);
        the centre is nan only when nothing flows.
    """
    coords, volume, (rate,) = cell_data(coords, volume, rate)
    dim = coords.shape[1]
    axis = axis_vector(loading_axis, dim)
    lengths = periods(period, dim)
    undefined = np.full(dim, np.nan)
    top = rate.max()
    if top <= 0.0:
        return BandOrientation(math.nan, undefined, undefined)
    region = rate >= 0.5 * top
    points, weights = coords[region], volume[region]
    reference = circular_mean(points, weights, lengths)
    centre = reference + weights @ min_image(points - reference, lengths) / weights.sum()
    centre = wrap_into_domain(centre, coords, lengths)
    offsets = min_image(points - centre, lengths)
    moment = (offsets * weights[:, None]).T @ offsets / weights.sum()
    eigenvalues, eigenvectors = np.linalg.eigh(moment)
    if eigenvalues[1] - eigenvalues[0] <= _ISOTROPY_TOLERANCE * eigenvalues[-1]:
        return BandOrientation(math.nan, centre, undefined)
    normal = eigenvectors[:, 0]
    normal = normal if normal[np.argmax(np.abs(normal))] > 0 else -normal
    along = abs(normal @ axis)
    # atan2 instead of arcsin keeps full precision for bands near 90°.
    angle = math.degrees(math.atan2(along, float(np.linalg.norm(axis - (normal @ axis) * normal))))
    return BandOrientation(angle, centre, normal)


def crossing_band_angles(
    coords: npt.ArrayLike,
    volume: npt.ArrayLike,
    rate: npt.ArrayLike,
    centre: npt.ArrayLike,
    hole: float,
    loading_axis: int = 1,
) -> tuple[float, float]:
    """Angles to the loading axis (degrees) of the two arms of an X of bands in a 2-D
    specimen, crossing at ``centre`` (m): :func:`band_orientation` of the cells in each pair
    of opposite quadrants about the crossing ("/" first, then "\\"), leaving out those within
    ``hole`` (m) of it, where the arms overlap. The second moment of a whole X has no useful
    axis (a symmetric X at 45° has none). An arm is nan when no cell lies outside the hole in
    its quadrants."""
    coords, volume, (rate,) = cell_data(coords, volume, rate)
    if coords.shape[1] != 2:
        raise ValueError("crossing_band_angles is for 2-D specimens")
    offset = coords - np.asarray(centre, dtype=float)
    far = np.hypot(offset[:, 0], offset[:, 1]) > hole
    rising = offset[:, 0] * offset[:, 1] > 0.0
    slash, backslash = (
        band_orientation(coords[arm], volume[arm], rate[arm], loading_axis).angle_deg
        if arm.any()
        else math.nan
        for arm in (far & rising, far & ~rising)
    )
    return slash, backslash


def band_width(
    coords: npt.ArrayLike,
    volume: npt.ArrayLike,
    values: npt.ArrayLike,
    centre: npt.ArrayLike,
    normal: npt.ArrayLike,
    nbins: int | None = None,
    period: Period = None,
) -> float:
    """Full width at half maximum of a field across a band.

    The cells are projected on the line through ``centre`` along ``normal`` and the
    volume-weighted average of ``values`` is taken in slabs of equal thickness; each slab's
    average is placed at the weighted mean position of its cells, so partly filled slabs at the
    domain's edge and empty slabs of a graded mesh do no harm. The far-field baseline, the
    minimum of this profile, is subtracted before taking half of the highest slab, and the two
    half-maximum crossings on either side of it are linearly interpolated.

    With ``period``, offsets from ``centre`` are minimum images, so the profile covers one
    period centred on the band (pass the centre from :func:`band_orientation` with the same
    ``period``).

    Args:
        coords: cell centroids, m, shape (N, dim), dim 2 or 3.
        volume: cell volumes, m³ (m² in 2-D), > 0, shape (N,).
        values: field across the band, e.g. accumulated plastic strain or χ, shape (N,).
        centre: a point of the band, m, shape (dim,).
        normal: band normal (any length), shape (dim,).
        nbins: number of slabs (≥ 3); default about one cell per slab, from the median
            ``volume**(1/dim)`` of the cells in the upper half of the value range, i.e. the
            resolution inside the band.
        period: per-axis period of the domain, m, ``None`` entries for bounded axes.

    Returns:
        FWHM in m; nan when the profile is flat or has no half-maximum crossing on one side of
        its peak (a band that touches the edge of the domain or the profile window).
    """
    coords, volume, (values,) = cell_data(coords, volume, values)
    dim = coords.shape[1]
    centre = np.asarray(centre, dtype=float)
    normal = unit_vector(normal)
    if centre.shape != (dim,) or normal.shape != (dim,) or not np.isfinite(centre).all():
        raise ValueError(f"centre and normal must be finite with {dim} components")
    distance = min_image(coords - centre, periods(period, dim)) @ normal
    low, high = distance.min(), distance.max()
    if nbins is None:
        in_band = values >= 0.5 * (values.min() + values.max())
        cell_size = np.median(volume[in_band] ** (1.0 / dim))
        nbins = max(round((high - low) / cell_size) + 1, 3)
    elif nbins < 3:
        raise ValueError(f"nbins must be at least 3, got {nbins}")
    if high <= low:
        return math.nan
    position, profile = slab_profile(distance, volume, values, low, high, nbins)
    return fwhm(position, profile, baseline=profile.min())


def band_measures(
    coords: npt.ArrayLike,
    volume: npt.ArrayLike,
    rate: npt.ArrayLike,
    dissipation: npt.ArrayLike,
    accumulated_strain: npt.ArrayLike,
    chi: npt.ArrayLike,
    loading_axis: int | npt.ArrayLike,
    period: Period = None,
) -> dict[str, float | list[float] | None]:
    """All band measures of one state, as a JSON-serializable dict.

    The geometric measures are computed whatever L is; they describe a band only once L shows
    localization (e.g. L > 0.5, the onset threshold): for homogeneous flow they describe the
    specimen.

    Args:
        coords: cell centroids, m, shape (N, dim), dim 2 or 3.
        volume: cell volumes, m³ (m² in 2-D), > 0, shape (N,).
        rate: plastic rate D, 1/s, shape (N,).
        dissipation: plastic dissipation density 2·D·s̄, W/m³, shape (N,).
        accumulated_strain: accumulated plastic strain, shape (N,).
        chi: effective temperature χ, K, shape (N,).
        loading_axis: index of the coordinate axis of the load or a vector along it.
        period: per-axis period of the domain, m, ``None`` entries for bounded axes.

    Returns:
        ``localization_index`` (float), ``orientation_deg`` (degrees from the loading axis),
        ``centre_m`` (list, m), ``normal`` (unit band normal, list), ``width_m`` (FWHM of the
        accumulated plastic strain, m) and ``width_chi_m`` (FWHM of χ, m): plain floats and
        lists, None where undefined (see the functions above).
    """
    orientation = band_orientation(coords, volume, rate, loading_axis, period)
    defined = bool(np.isfinite(orientation.normal).all())
    widths = [
        band_width(coords, volume, field, orientation.centre, orientation.normal, period=period)
        if defined
        else math.nan
        for field in (accumulated_strain, chi)
    ]
    return {
        "localization_index": localization_index(rate, dissipation, volume),
        "orientation_deg": _finite_or_none(orientation.angle_deg),
        "centre_m": _list_or_none(orientation.centre),
        "normal": _list_or_none(orientation.normal),
        "width_m": _finite_or_none(widths[0]),
        "width_chi_m": _finite_or_none(widths[1]),
    }


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _list_or_none(vector: FloatArray) -> list[float] | None:
    return [float(v) for v in vector] if np.isfinite(vector).all() else None
