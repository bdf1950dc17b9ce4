"""Peak centre and FWHM of 1-D profiles (stz_fem.profiles) and bands in gridded fields."""

import math

import numpy as np
import pytest

from stz_fem.atomistic.grid_band import band_across_y, band_profile
from stz_fem.profiles import fwhm, half_max_crossings, peak_centre

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


def test_band_parallel_to_x_in_a_noisy_field() -> None:
    rng = np.random.default_rng(0)
    y = (np.arange(64) + 0.5) * 0.5e-9
    x = (np.arange(48) + 0.5) * 0.5e-9
    band = periodic_gaussian(y, 30.1e-9, 2e-9, 32e-9)
    field = 0.05 + band[:, None] + rng.normal(0.0, 0.05, (len(y), len(x)))
    np.testing.assert_allclose(band_profile(field), field.mean(axis=1))
    found = band_across_y(field, y)
    assert found.centre == pytest.approx(30.1e-9, abs=0.1e-9)
    assert found.width == pytest.approx(FWHM_PER_SIGMA * 2e-9, rel=0.05)
