"""Bands parallel to x in gridded fields (stz_fem.atomistic.grid_band); the 1-D profile
measures they use are tested in tests/postprocess/test_profiles.py."""

import math

import numpy as np
import pytest

from stz_fem.atomistic.grid_band import band_across_y, band_profile


def test_band_parallel_to_x_in_a_noisy_field() -> None:
    """A Gaussian band (σ = 2 nm) 1.9 nm from the periodic boundary of a 32 nm cell."""
    rng = np.random.default_rng(0)
    y = (np.arange(64) + 0.5) * 0.5e-9
    x = (np.arange(48) + 0.5) * 0.5e-9
    offset = (y - 30.1e-9 + 16e-9) % 32e-9 - 16e-9  # minimum image across y = 0 ≡ 32 nm
    band = np.exp(-0.5 * (offset / 2e-9) ** 2)
    field = 0.05 + band[:, None] + rng.normal(0.0, 0.05, (len(y), len(x)))
    np.testing.assert_allclose(band_profile(field), field.mean(axis=1))
    found = band_across_y(field, y)
    assert found.centre == pytest.approx(30.1e-9, abs=0.1e-9)
    assert found.width == pytest.approx(2.0 * math.sqrt(2.0 * math.log(2.0)) * 2e-9, rel=0.05)
