"""Band measures over cells (stz_fem.postprocess.band_measures) on synthetic fields with known
answers."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stz_fem.postprocess.band_measures import (
    band_measures,
    band_orientation,
    band_width,
    crossing_band_angles,
    flowing_fraction,
    localization_index,
)
from stz_fem.postprocess.load_history import localization_onset

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
DIAMETER = 2e-3  # m: a millimetre-scale specimen, so that nothing relies on unit lengths


def disc_cells(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Cells covering a disc of DIAMETER centred at the origin: (coords, areas, cell size)."""
    radius = 0.5 * DIAMETER
    if kind == "structured":
        n = 200
        h = DIAMETER / n
        axis = -radius + h * (np.arange(n) + 0.5)
        coords = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
        coords = coords[np.linalg.norm(coords, axis=1) < radius]
        return coords, np.full(len(coords), h * h), h
    n = 30_000
    r = radius * np.sqrt(rng.random(n))
    phi = 2.0 * np.pi * rng.random(n)
    coords = np.column_stack((r * np.cos(phi), r * np.sin(phi)))
    area = np.pi * radius**2 / n
    return coords, np.full(n, area), math.sqrt(area)


def gaussian_band(coords, point, normal, fwhm):
    distance = (coords - point) @ normal
    sigma = fwhm / FWHM_PER_SIGMA
    return np.exp(-(distance**2) / (2.0 * sigma**2))


def periodic_distance(a, b, period):
    d = np.abs(a - b) % period
    return np.minimum(d, period - d)


# --- localization index -------------------------------------------------------------------


def test_localization_homogeneous_rate_gives_fraction_exactly():
    rng = np.random.default_rng(1)
    volume = rng.uniform(0.1, 10.0, 1000) * 1e-12
    rate = np.full(1000, 3e-3)
    # Equal rates are a tie: any dissipation pattern is taken proportionally.
    assert localization_index(rate, np.ones(1000), volume) == pytest.approx(0.05, abs=1e-12)
    dissipation = rng.uniform(0.0, 5.0, 1000)
    assert localization_index(rate, dissipation, volume) == pytest.approx(0.05, abs=1e-12)


def test_localization_straddling_cell_is_taken_in_part():
    rng = np.random.default_rng(2)
    volume = rng.uniform(0.1, 10.0, 997)
    rate = rng.random(997)  # all distinct: the 5 % boundary falls inside one cell
    dissipation = np.full(997, 7.0)
    assert localization_index(rate, dissipation, volume) == pytest.approx(0.05, abs=1e-12)
    assert localization_index(rate, dissipation, volume, fraction=0.3) == pytest.approx(
        0.3, abs=1e-12
    )


def test_localization_thin_band_gives_one():
    rng = np.random.default_rng(3)
    volume = rng.uniform(0.5, 2.0, 2000)
    band = np.cumsum(volume) <= 0.03 * volume.sum()
    rate = np.where(band, rng.uniform(1.0, 2.0, 2000), 0.0)
    dissipation = np.where(band, 4.0, 0.0)
    assert localization_index(rate, dissipation, volume) == pytest.approx(1.0, abs=1e-12)
    # Half of the flowing volume in the top 5 % only when the band is twice as thick as 5 %.
    wide = np.cumsum(volume) <= 0.1 * volume.sum()
    rate = np.where(wide, 1.0, 0.0)
    l_wide = localization_index(rate, np.where(wide, 1.0, 0.0), volume)
    assert l_wide == pytest.approx(0.05 * volume.sum() / volume[wide].sum(), rel=1e-12)


def test_localization_independent_of_refinement():
    rng = np.random.default_rng(4)
    volume = rng.uniform(0.1, 10.0, 500)
    rate = rng.lognormal(size=500)
    dissipation = rate * rng.uniform(1.0, 2.0, 500)
    coarse = localization_index(rate, dissipation, volume)
    fine = localization_index(
        np.repeat(rate, 4), np.repeat(dissipation, 4), np.repeat(volume, 4) / 4
    )
    assert fine == pytest.approx(coarse, abs=1e-12)
    assert 0.05 < coarse < 1.0


def test_localization_without_dissipation_is_zero_and_onset_ignores_it():
    volume = np.ones(10)
    assert localization_index(np.zeros(10), np.zeros(10), volume) == 0.0
    assert localization_onset([0.0, 0.1], [0.0, 0.0]) is None


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    fraction=st.floats(0.01, 1.0),
)
def test_localization_bounds_and_permutation(seed, n, fraction):
    rng = np.random.default_rng(seed)
    volume = rng.uniform(0.01, 1.0, n)
    rate = rng.choice([0.0, 1.0, 2.0, 5.0], n) * rng.choice([1.0, 1.5], n)
    dissipation = 3.0 * rate  # equal stress: the fastest volume dissipates at least its share
    value = localization_index(rate, dissipation, volume, fraction)
    if dissipation.sum() > 0:
        assert fraction - 1e-12 <= value <= 1.0 + 1e-12
    order = rng.permutation(n)
    shuffled = localization_index(rate[order], dissipation[order], volume[order], fraction)
    assert shuffled == pytest.approx(value, abs=1e-12)


def test_localization_rejects_bad_input():
    with pytest.raises(ValueError):
        localization_index([1.0, 2.0], [1.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError):
        localization_index([1.0, 2.0], [1.0], [1.0, 1.0])
    with pytest.raises(ValueError):
        localization_index([1.0], [1.0], [1.0], fraction=0.0)


def test_flowing_fraction_is_volume_weighted():
    assert flowing_fraction([0.0, 1e-9, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.6)


# --- orientation, centre and width --------------------------------------------------------


@pytest.mark.parametrize("kind", ["structured", "unstructured"])
@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 60.0, 90.0, 120.0, -15.0])
def test_gaussian_band_in_disc(kind, angle):
    rng = np.random.default_rng(5)
    coords, area, h = disc_cells(kind, rng)
    theta = math.radians(angle)
    normal = np.array([-math.sin(theta), math.cos(theta)])
    # The band passes off-centre; its region is symmetric about the foot of the perpendicular.
    foot = 0.1 * DIAMETER * normal
    fwhm = 0.1 * DIAMETER
    strain = gaussian_band(coords, foot, normal, fwhm)

    result = band_orientation(coords, area, strain, loading_axis=0)
    folded = abs(angle) % 180.0
    expected = min(folded, 180.0 - folded)
    assert result.angle_deg == pytest.approx(expected, abs=1.0)
    assert abs((result.centre - foot) @ normal) < 0.5 * h
    # Along the band, the centroid of ~3000 random points spread over 2 mm is uncertain by ~h.
    assert np.linalg.norm(result.centre - foot) < (h if kind == "structured" else 2.0 * h)
    assert abs(result.normal @ normal) == pytest.approx(1.0, abs=1e-3)

    width = band_width(coords, area, strain, result.centre, result.normal)
    assert width == pytest.approx(fwhm, rel=0.03)
    # The baseline is removed: χ with a far field of 600 K has the same width.
    chi = 600.0 + 150.0 * strain
    assert band_width(coords, area, chi, result.centre, result.normal) == pytest.approx(
        fwhm, rel=0.03
    )


def test_width_on_a_graded_mesh():
    h0 = 1e-5
    spacing = h0 * 1.08 ** np.arange(40)  # cells grow away from the band at y = 0
    nodes = np.concatenate((-np.cumsum(spacing)[::-1], [0.0], np.cumsum(spacing)))
    y = 0.5 * (nodes[1:] + nodes[:-1])
    x = h0 * (np.arange(30) + 0.5)
    coords = np.stack(np.meshgrid(x, y, indexing="ij"), axis=-1).reshape(-1, 2)
    area = np.outer(np.full(30, h0), np.diff(nodes)).ravel()
    fwhm = 20.0 * h0
    normal = np.array([0.0, 1.0])
    strain = gaussian_band(coords, np.array([0.0, 0.37 * h0]), normal, fwhm)
    result = band_orientation(coords, area, strain, loading_axis=0)
    assert result.angle_deg == pytest.approx(0.0, abs=1.0)
    assert abs(result.centre[1] - 0.37 * h0) < h0
    assert band_width(coords, area, strain, result.centre, normal) == pytest.approx(fwhm, rel=0.03)


def test_loading_axis_as_vector_and_index_agree():
    coords, area, _ = disc_cells("structured", np.random.default_rng(6))
    theta = math.radians(30.0)
    normal = np.array([-math.sin(theta), math.cos(theta)])
    rate = gaussian_band(coords, np.zeros(2), normal, 0.1 * DIAMETER)
    along_y = band_orientation(coords, area, rate, loading_axis=1).angle_deg
    assert along_y == pytest.approx(60.0, abs=1.0)
    along_vector = band_orientation(coords, area, rate, loading_axis=[0.0, 2.0]).angle_deg
    assert along_vector == pytest.approx(along_y, abs=1e-12)


def test_planar_band_in_3d():
    rng = np.random.default_rng(7)
    n = 20_000
    radius = 0.5 * DIAMETER
    direction = rng.normal(size=(n, 3))
    direction /= np.linalg.norm(direction, axis=1)[:, None]
    coords = direction * radius * rng.random(n)[:, None] ** (1.0 / 3.0)
    volume = np.full(n, 4.0 / 3.0 * np.pi * radius**3 / n)
    h = volume[0] ** (1.0 / 3.0)
    theta, phi = math.radians(45.0), math.radians(30.0)
    normal = np.array(
        [-math.sin(theta) * math.cos(phi), math.cos(theta) * math.cos(phi), math.sin(phi)]
    )
    fwhm = 0.15 * DIAMETER
    strain = gaussian_band(coords, np.zeros(3), normal, fwhm)
    result = band_orientation(coords, volume, strain, loading_axis=0)
    # Angle between the band plane and x: 90° minus the angle between the normal and x.
    expected = math.degrees(math.asin(math.sin(theta) * math.cos(phi)))
    assert result.angle_deg == pytest.approx(expected, abs=1.0)
    assert np.linalg.norm(result.centre) < h
    width = band_width(coords, volume, strain, result.centre, result.normal)
    assert width == pytest.approx(fwhm, rel=0.03)


def test_band_across_periodic_boundary():
    lx, ly = 1e-3, 2e-3
    nx, ny = 50, 200
    h = ly / ny
    x = lx * (np.arange(nx) + 0.5) / nx
    y = ly * (np.arange(ny) + 0.5) / ny
    coords = np.stack(np.meshgrid(x, y, indexing="ij"), axis=-1).reshape(-1, 2)
    area = np.full(len(coords), (lx / nx) * h)
    y0 = 0.02 * ly  # the band straddles y = 0 ≡ ly
    fwhm = 0.1 * ly
    sigma = fwhm / FWHM_PER_SIGMA
    strain = np.exp(-(periodic_distance(coords[:, 1], y0, ly) ** 2) / (2.0 * sigma**2))
    period = (None, ly)

    result = band_orientation(coords, area, strain, loading_axis=0, period=period)
    assert result.angle_deg == pytest.approx(0.0, abs=1.0)
    assert periodic_distance(result.centre[1], y0, ly) < h
    assert 0.0 <= result.centre[1] < ly
    width = band_width(coords, area, strain, result.centre, result.normal, period=period)
    assert width == pytest.approx(fwhm, rel=0.03)

    measures = band_measures(
        coords, area, strain, strain, strain, 600.0 + strain, loading_axis=0, period=period
    )
    assert measures["width_m"] == pytest.approx(fwhm, rel=0.03)
    assert measures["width_chi_m"] == pytest.approx(fwhm, rel=0.03)

    # Without the period the two halves of the band look like one band along y.
    unaware = band_orientation(coords, area, strain, loading_axis=0)
    assert unaware.angle_deg > 45.0


def test_inclined_band_crossing_a_periodic_side():
    lx = ly = 1e-3
    n = 160
    h = lx / n
    axis = lx * (np.arange(n) + 0.5) / n
    coords = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    area = np.full(len(coords), h * h)
    theta = math.radians(60.0)
    normal = np.array([-math.sin(theta), math.cos(theta)])
    point = np.array([0.01 * lx, 0.5 * ly])  # the band leaves through x = 0 and re-enters at lx
    fwhm = 0.08 * lx
    sigma = fwhm / FWHM_PER_SIGMA
    offset = coords - point
    offset[:, 0] -= lx * np.round(offset[:, 0] / lx)
    strain = np.exp(-((offset @ normal) ** 2) / (2.0 * sigma**2))
    period = (lx, None)

    result = band_orientation(coords, area, strain, loading_axis=0, period=period)
    assert result.angle_deg == pytest.approx(60.0, abs=1.0)
    assert periodic_distance(result.centre[0], point[0], lx) < h
    assert abs(result.centre[1] - point[1]) < h
    width = band_width(coords, area, strain, result.centre, result.normal, period=period)
    assert width == pytest.approx(fwhm, rel=0.03)


def test_width_is_nan_when_the_band_touches_the_edge():
    n = 100
    h = 1e-3 / n
    axis = h * (np.arange(n) + 0.5)
    coords = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    area = np.full(len(coords), h * h)
    strain = np.exp(-((coords[:, 1] / 2e-4) ** 2))  # peak on the edge y = 0
    assert math.isnan(band_width(coords, area, strain, [5e-4, 0.0], [0.0, 1.0]))
    assert math.isnan(band_width(coords, area, np.ones(len(coords)), [5e-4, 0.0], [0.0, 1.0]))


def test_explicit_slab_count():
    coords, area, _ = disc_cells("structured", np.random.default_rng(10))
    normal = np.array([0.6, 0.8])
    fwhm = 0.1 * DIAMETER
    strain = gaussian_band(coords, np.zeros(2), normal, fwhm)
    # Slabs two cells thick still resolve a band twenty cells wide.
    width = band_width(coords, area, strain, np.zeros(2), normal, nbins=101)
    assert width == pytest.approx(fwhm, rel=0.03)
    with pytest.raises(ValueError):
        band_width(coords, area, strain, np.zeros(2), normal, nbins=2)


def test_geometry_rejects_bad_input():
    coords, area = np.zeros((4, 2)), np.ones(4)
    with pytest.raises(ValueError):
        band_orientation(coords, area, np.ones(4), loading_axis=2)
    with pytest.raises(ValueError):
        band_orientation(coords, area, np.ones(4), loading_axis=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        band_orientation(coords, area, np.ones(4), loading_axis=0, period=(1.0,))
    with pytest.raises(ValueError):
        band_orientation(np.zeros((4, 4)), area, np.ones(4), loading_axis=0)
    with pytest.raises(ValueError):
        band_width(coords, area, np.ones(4), [0.0, 0.0], [0.0, 0.0])


def test_orientation_undefined_without_flow_or_shape():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    area = np.ones(4)
    still = band_orientation(coords, area, np.zeros(4), 0)
    assert math.isnan(still.angle_deg) and np.isnan(still.centre).all()
    square = band_orientation(coords, area, np.ones(4), 0)
    assert math.isnan(square.angle_deg)
    assert square.centre == pytest.approx([0.5, 0.5])


# --- all measures -------------------------------------------------------------------------


def test_band_measures_is_json_ready():
    coords, area, h = disc_cells("structured", np.random.default_rng(9))
    theta = math.radians(45.0)
    normal = np.array([-math.sin(theta), math.cos(theta)])
    fwhm = 0.1 * DIAMETER
    profile = gaussian_band(coords, np.zeros(2), normal, fwhm)
    rate = 1e-3 * profile**4  # the rate is narrower than the accumulated strain
    chi = 600.0 + 100.0 * gaussian_band(coords, np.zeros(2), normal, 2.0 * fwhm)
    measures = band_measures(coords, area, rate, 2e9 * rate, profile, chi, loading_axis=0)
    json.dumps(measures, allow_nan=False)
    assert measures["localization_index"] > 0.5
    assert measures["orientation_deg"] == pytest.approx(45.0, abs=1.0)
    assert np.linalg.norm(measures["centre_m"]) < h
    assert measures["width_m"] == pytest.approx(fwhm, rel=0.03)
    assert measures["width_chi_m"] == pytest.approx(2.0 * fwhm, rel=0.03)
    assert all(type(v) is float for v in measures["centre_m"])

    elastic = band_measures(
        coords,
        area,
        np.zeros(len(area)),
        np.zeros(len(area)),
        np.zeros(len(area)),
        np.full(len(area), 600.0),
        loading_axis=0,
    )
    assert elastic["localization_index"] == 0.0
    assert all(elastic[key] is None for key in ("orientation_deg", "centre_m", "width_m"))
    json.dumps(elastic, allow_nan=False)


def test_crossing_band_angles_measure_each_arm_of_an_x():
    """An asymmetric X (arms at 40° and 52° to the y axis) on a random point cloud: each arm's
    angle comes back within half a degree, "/" first."""
    rng = np.random.default_rng(3)
    coords = rng.uniform(-5e-3, 5e-3, size=(60_000, 2))
    volume = np.full(coords.shape[0], 1e-10)
    rate = np.zeros(coords.shape[0])
    for angle, sign in ((40.0, 1.0), (52.0, -1.0)):
        a = math.radians(angle)
        direction = np.array([sign * math.sin(a), math.cos(a)])
        distance = np.abs(coords @ np.array([direction[1], -direction[0]]))
        rate = np.maximum(rate, np.exp(-0.5 * (distance / 0.2e-3) ** 2))
    slash, backslash = crossing_band_angles(coords, volume, rate, [0.0, 0.0], 1e-3)
    assert slash == pytest.approx(40.0, abs=0.5)
    assert backslash == pytest.approx(52.0, abs=0.5)
    assert all(math.isnan(a) for a in crossing_band_angles(coords, volume, rate, [0, 0], 1.0))
