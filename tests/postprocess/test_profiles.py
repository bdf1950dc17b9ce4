"""1-D profiles (stz_fem.postprocess.profiles): peak centre and FWHM, surface profiles of cell
data, and the count, spacing and period of bands along a surface."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stz_fem.postprocess.profiles import (
    band_count_and_spacing,
    fwhm,
    half_max_crossings,
    peak_centre,
    profile_period,
    surface_profile,
)

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


def periodic_gaussian(x: np.ndarray, centre: float, sigma: float, period: float) -> np.ndarray:
    images = centre + period * np.arange(-2, 3)[:, None]
    return np.exp(-0.5 * ((x - images) / sigma) ** 2).sum(axis=0)


@pytest.mark.parametrize("centre", [0.3, 5.0, 9.9])
def test_periodic_peak_across_the_boundary(centre: float) -> None:
    period, n, sigma = 10.0, 100, 0.8
    x = (np.arange(n) + 0.5) * period / n
    f = 3.0 + periodic_gaussian(x, centre, sigma, period)
    found = peak_centre(x, f, period, baseline=3.0)
    assert min(abs(found - centre), period - abs(found - centre)) < 1e-3
    assert 0.0 <= found < period
    assert fwhm(x, f, period, baseline=3.0) == pytest.approx(FWHM_PER_SIGMA * sigma, rel=2e-3)
    # from a zero baseline the half level (2) lies below the whole profile
    assert math.isnan(fwhm(x, f, period))


def test_non_periodic_peak_at_an_edge_has_no_width() -> None:
    x = np.linspace(0.0, 1.0, 51)
    f = np.exp(-0.5 * (x / 0.2) ** 2)
    left, right = half_max_crossings(x, f)
    assert math.isnan(left) and right == pytest.approx(0.2 * FWHM_PER_SIGMA / 2, rel=1e-2)
    assert math.isnan(fwhm(x, f))
    assert 0.0 <= peak_centre(x, f) < 0.2


def test_surface_profile_averages_the_cells_near_the_face_in_slabs():
    """Cells 0.1 mm square over a 2 mm × 1 mm plate, a column at each slab's centre: the profile
    along y = 0 takes the rows within the depth, one value per slab, and leaves the cells
    deeper down out."""
    h = 1e-4
    x, y = np.meshgrid(h * np.arange(21) - 1e-3, h * (np.arange(10) + 0.5))
    coords = np.column_stack([x.ravel(), y.ravel()])
    strain = np.where(coords[:, 1] < 2 * h, np.cos(np.pi * coords[:, 0] / 1e-3) ** 2, 5.0)
    at, profile = surface_profile(coords, np.full(len(coords), h * h), strain, 0.0, 2 * h,
                                  -1e-3, 1e-3, h)
    np.testing.assert_allclose(at, h * np.arange(21) - 1e-3, atol=1e-12)
    np.testing.assert_allclose(profile, np.cos(np.pi * at / 1e-3) ** 2)
    with pytest.raises(ValueError):
        surface_profile(coords, np.full(len(coords), h * h), strain, 0.0, 0.0, -1e-3, 1e-3, h)


def sinusoid_profile(n_bands, spacing, samples_per_band=40):
    positions = spacing * (np.arange(n_bands * samples_per_band) + 0.5) / samples_per_band
    values = (0.5 * (1.0 - np.cos(2.0 * np.pi * positions / spacing))) ** 4
    return positions, values


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), noise=st.floats(0.0, 0.05))
def test_count_and_spacing_of_five_bands_with_noise(seed, noise):
    spacing = 4e-4
    positions, values = sinusoid_profile(5, spacing)
    values = 0.02 * (values + noise * np.random.default_rng(seed).uniform(-1.0, 1.0, values.size))
    count, measured, per_length, at = band_count_and_spacing(positions, values,
                                                             length=5 * spacing)
    assert count == 5
    assert np.abs(at - spacing * (np.arange(5) + 0.5)).max() < 0.1 * spacing
    assert measured == pytest.approx(spacing, rel=0.05)
    assert per_length == pytest.approx(1.0 / spacing)


def test_count_threshold_merging_and_edges():
    positions, values = sinusoid_profile(5, 1.0)
    order = np.random.default_rng(8).permutation(positions.size)
    assert band_count_and_spacing(positions[order], values[order], 5.0).count == 5
    # A weak sixth band counts only above the prominence threshold.
    positions, values = sinusoid_profile(6, 1.0)
    values[positions > 5.0] *= 0.3
    assert band_count_and_spacing(positions, values, 6.0).count == 5
    count, spacing, _, _ = band_count_and_spacing(positions, values, 6.0, threshold=0.2)
    assert count == 6
    assert spacing == pytest.approx(1.0, abs=0.03)
    # Two maxima with a single sample between them are one unresolved band.
    x = np.arange(9.0)
    count, spacing, _, at = band_count_and_spacing(x, [0, 0, 0, 1, 0.2, 0.9, 0, 0, 0], 9.0)
    assert count == 1 and math.isnan(spacing) and at.tolist() == [3.0]
    # A band at the end of the surface still meets it.
    assert band_count_and_spacing(x, [1.0, 0.5, 0, 0, 0, 0, 0, 0.5, 1.0], 9.0).count == 2
    assert band_count_and_spacing(x, np.ones(9), 9.0).count == 0


def test_profile_period_is_the_repeat_distance_of_a_pattern():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0.0, 4e-3, 160))
    wave = 0.1 + 0.03 * np.sin(2.0 * np.pi * x / 0.5e-3) + 5.0 * x  # on a trend
    noisy = wave + rng.normal(0.0, 0.005, x.size)
    assert profile_period(x, noisy) == pytest.approx(0.5e-3, rel=0.05)
    assert profile_period(x[::-1], 10.0 * noisy[::-1]) == profile_period(x, noisy)
    # bands at irregular distances (0.5 mm ± 0.1 mm): their mean distance
    centres = np.cumsum(rng.uniform(0.4e-3, 0.6e-3, 9))
    bumps = np.exp(-0.5 * ((x[:, None] - centres) / 0.05e-3) ** 2).sum(axis=1)
    assert profile_period(x, bumps) == pytest.approx(np.diff(centres).mean(), rel=0.1)


def test_profile_period_is_nan_without_a_repeating_pattern():
    x = np.linspace(0.0, 4e-3, 81)
    assert math.isnan(profile_period(x, 0.2 + 3.0 * x))
    assert math.isnan(profile_period(x, np.exp(-0.5 * ((x - 2e-3) / 0.3e-3) ** 2)))
    assert math.isnan(profile_period(x[:3], np.sin(x[:3])))
