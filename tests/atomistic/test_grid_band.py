"""Bands parallel to x in gridded fields (stz_fem.atomistic.grid_band)."""

import math

import numpy as np
import pytest

from stz_fem.atomistic.grid_band import band_across_y, band_profile

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


def periodic_gaussian(x: np.ndarray, centre: float, sigma: float, period: float) -> np.ndarray:
    images = centre + period * np.arange(-2, 3)[:, None]
    return np.exp(-0.5 * ((x - images) / sigma) ** 2).sum(axis=0)


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
