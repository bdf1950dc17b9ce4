"""Shear-band measures (docs/model.md §6) on a set of cells or quadrature points.

Every function takes arrays already gathered on one process: ``coords`` (N, dim) cell centroids
in metres (dim 2 or 3), ``volume`` (N,) cell volumes in m³ (areas in m² in 2-D, or quadrature
weights) and per-cell fields. Every measure is volume-weighted, so a finer or non-uniform mesh
of the same field gives the same answer.

Periodicity is given per coordinate axis: ``period = (Lx, None)`` says the domain repeats every
``Lx`` metres along x and is bounded along y. Offsets between points are then taken as minimum
images, so a band that straddles a periodic boundary is measured as one band.

Undefined values are ``nan`` in the low-level functions (``None`` from
:func:`localization_onset`, which returns a load); :func:`band_measures` turns them into ``None``
so that its dict is JSON-serializable as is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from stz_fem import profiles

FloatArray = npt.NDArray[np.float64]
Period = Sequence[float | None] | None

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
        no band and L = 0, so that :func:`localization_onset` sees it as not localized.
    """
    volume = _volumes(volume)
    rate, dissipation = _cell_fields(volume.size, rate, dissipation)
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
    volume = _volumes(volume)
    (rate,) = _cell_fields(volume.size, rate)
    return float(volume[rate > 0.0].sum() / volume.sum())


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
    state. With ``flowing`` (the flowing volume fraction at each load, see
    :func:`flowing_fraction`) two corrections apply: samples where it is below ``fraction``
    are not counted, and if L is above the threshold at the first counted sample, that is
    the onset only if L stays above it to the end of the record; if L falls to the threshold
    first, the concentrator's plastic zone spread out into diffuse flow, and the onset is the
    next rise through the threshold (annealed and rejuvenated notched bars: docs/validation.md).
    Without ``flowing`` every sample counts and the first crossing is returned, as in docs/model.md.

    Args:
        loads: load samples in the order they were reached (nominal strain, displacement in m,
            ...), shape (M,).
        localization: localization index L at each load, shape (M,).
        threshold: level of L that marks the onset of banding.
        flowing: flowing volume fraction at each load, shape (M,), or None.
        fraction: the volume fraction that L ranks (0.05 in :func:`localization_index`).

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
    volume = _volumes(volume)
    coords = _coordinates(coords, volume.size)
    (rate,) = _cell_fields(volume.size, rate)
    dim = coords.shape[1]
    axis = _axis_vector(loading_axis, dim)
    periods = _periods(period, dim)
    undefined = np.full(dim, np.nan)
    top = rate.max()
    if top <= 0.0:
        return BandOrientation(math.nan, undefined, undefined)
    region = rate >= 0.5 * top
    points, weights = coords[region], volume[region]
    reference = _circular_mean(points, weights, periods)
    centre = reference + weights @ _min_image(points - reference, periods) / weights.sum()
    centre = _wrap_into_domain(centre, coords, periods)
    offsets = _min_image(points - centre, periods)
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
    volume = _volumes(volume)
    coords = _coordinates(coords, volume.size)
    (rate,) = _cell_fields(volume.size, rate)
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
    volume = _volumes(volume)
    coords = _coordinates(coords, volume.size)
    (values,) = _cell_fields(volume.size, values)
    dim = coords.shape[1]
    centre = np.asarray(centre, dtype=float)
    normal = _unit_vector(normal)
    if centre.shape != (dim,) or normal.shape != (dim,) or not np.isfinite(centre).all():
        raise ValueError(f"centre and normal must be finite with {dim} components")
    distance = _min_image(coords - centre, _periods(period, dim)) @ normal
    low, high = distance.min(), distance.max()
    if nbins is None:
        in_band = values >= 0.5 * (values.min() + values.max())
        cell_size = np.median(volume[in_band] ** (1.0 / dim))
        nbins = max(round((high - low) / cell_size) + 1, 3)
    elif nbins < 3:
        raise ValueError(f"nbins must be at least 3, got {nbins}")
    if high <= low:
        return math.nan
    position, profile = _slab_profile(distance, volume, values, low, high, nbins)
    return profiles.fwhm(position, profile, baseline=profile.min())


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
    """Profile of a field along the plane surface y = ``surface`` of a 2-D specimen, from the
    cells whose centroids lie within ``depth`` of it and between x = ``start`` and ``stop``.

    Returns the positions along x (m) and the volume-weighted averages of ``values`` in slabs
    about ``bin_width`` wide (empty slabs left out), for :func:`band_count_and_spacing`.
    """
    volume = _volumes(volume)
    coords = _coordinates(coords, volume.size)
    (values,) = _cell_fields(volume.size, values)
    if not (depth > 0.0 and bin_width > 0.0 and stop > start):
        raise ValueError(f"need depth > 0, bin_width > 0 and stop > start, got {depth}, "
                         f"{bin_width}, {start}..{stop}")
    x = coords[:, 0]
    near = (np.abs(coords[:, 1] - surface) <= depth) & (x >= start) & (x <= stop)
    nbins = max(round((stop - start) / bin_width) + 1, 3)
    return _slab_profile(x[near], volume[near], values[near], start, stop, nbins)


def _slab_profile(
    distance: FloatArray, volume: FloatArray, values: FloatArray, low: float, high: float,
    nbins: int,
) -> tuple[FloatArray, FloatArray]:
    """Volume-weighted averages of ``values`` in ``nbins`` slabs of ``distance`` from ``low``
    to ``high``, each placed at the weighted mean position of its cells; empty slabs (a graded
    mesh, the domain's edge) are left out."""
    # Slabs centred on the extreme positions: on a mesh aligned with the normal every row of
    # cells then falls in the middle of its own slab rather than on a slab boundary.
    step = (high - low) / (nbins - 1)
    slab = np.clip(np.floor((distance - low) / step + 0.5).astype(np.intp), 0, nbins - 1)
    weight = np.bincount(slab, weights=volume, minlength=nbins)
    filled = weight > 0.0
    position = np.bincount(slab, weights=volume * distance, minlength=nbins)[filled]
    profile = np.bincount(slab, weights=volume * values, minlength=nbins)[filled]
    return position / weight[filled], profile / weight[filled]


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
    positions = np.asarray(positions, dtype=float)
    values = np.asarray(values, dtype=float)
    if positions.ndim != 1 or positions.shape != values.shape or positions.size == 0:
        raise ValueError(
            f"positions and values must be 1-D of equal non-zero length, got {positions.shape} "
            f"and {values.shape}"
        )
    if not (np.isfinite(positions).all() and np.isfinite(values).all()):
        raise ValueError("positions and values must be finite")
    if not length > 0.0:
        raise ValueError(f"length must be positive, got {length}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    order = np.argsort(positions, kind="stable")
    positions, values = positions[order], values[order]
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
    positions = np.asarray(positions, dtype=float)
    values = np.asarray(values, dtype=float)
    if positions.ndim != 1 or positions.shape != values.shape:
        raise ValueError(f"positions and values must be 1-D of equal length, got "
                         f"{positions.shape} and {values.shape}")
    if positions.size < 4:
        return math.nan
    order = np.argsort(positions, kind="stable")
    positions, values = positions[order], values[order]
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


def _volumes(volume: npt.ArrayLike) -> FloatArray:
    volume = np.asarray(volume, dtype=float)
    if volume.ndim != 1 or volume.size == 0:
        raise ValueError(f"volume must be a non-empty 1-D array, got shape {volume.shape}")
    if not (np.isfinite(volume).all() and (volume > 0.0).all()):
        raise ValueError("volume must be finite and positive")
    return volume


def _cell_fields(n: int, *fields: npt.ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(field, dtype=float) for field in fields]
    for array in arrays:
        if array.shape != (n,):
            raise ValueError(f"a cell field has shape {array.shape} for {n} cells")
        if not np.isfinite(array).all():
            raise ValueError("cell fields must be finite")
    return arrays


def _coordinates(coords: npt.ArrayLike, n: int) -> FloatArray:
    coords = np.asarray(coords, dtype=float)
    if coords.shape not in ((n, 2), (n, 3)):
        raise ValueError(f"coords must have shape ({n}, 2) or ({n}, 3), got {coords.shape}")
    if not np.isfinite(coords).all():
        raise ValueError("coords must be finite")
    return coords


def _unit_vector(vector: npt.ArrayLike) -> FloatArray:
    vector = np.asarray(vector, dtype=float).ravel()
    norm = np.linalg.norm(vector)
    if not (np.isfinite(norm) and norm > 0.0):
        raise ValueError(f"direction vector must be finite and non-zero, got {vector}")
    return vector / norm


def _axis_vector(axis: int | npt.ArrayLike, dim: int) -> FloatArray:
    if isinstance(axis, int | np.integer):
        if not 0 <= axis < dim:
            raise ValueError(f"loading axis index must be in [0, {dim}), got {axis}")
        return np.eye(dim)[axis]
    vector = _unit_vector(axis)
    if vector.size != dim:
        raise ValueError(f"loading axis vector has {vector.size} components in {dim}-D")
    return vector


def _periods(period: Period, dim: int) -> FloatArray:
    """Per-axis periods, nan for bounded axes."""
    if period is None:
        return np.full(dim, np.nan)
    if len(period) != dim:
        raise ValueError(f"period must have {dim} entries (None for bounded axes), got {period}")
    periods = np.array([np.nan if p is None else p for p in period], dtype=float)
    if (periods[~np.isnan(periods)] <= 0.0).any() or np.isinf(periods).any():
        raise ValueError(f"periods must be positive and finite, got {period}")
    return periods


def _min_image(offsets: FloatArray, periods: FloatArray) -> FloatArray:
    periodic = ~np.isnan(periods)
    if not periodic.any():
        return offsets
    wrapped = offsets.copy()
    wrapped[:, periodic] -= periods[periodic] * np.round(offsets[:, periodic] / periods[periodic])
    return wrapped


def _circular_mean(points: FloatArray, weights: FloatArray, periods: FloatArray) -> FloatArray:
    """Weighted mean, taken on the circle along periodic axes.

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


def _wrap_into_domain(point: FloatArray, coords: FloatArray, periods: FloatArray) -> FloatArray:
    """The image of ``point`` within half a period of the middle of the cells' span."""
    middle = 0.5 * (coords.min(axis=0) + coords.max(axis=0))
    return middle + _min_image((point - middle)[None, :], periods)[0]


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _list_or_none(vector: FloatArray) -> list[float] | None:
    return [float(v) for v in vector] if np.isfinite(vector).all() else None
