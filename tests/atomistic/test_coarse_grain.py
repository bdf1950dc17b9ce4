"""Gaussian coarse-graining: conservation, periodicity, agreement with a direct sum, and the
refusal of widths below the mean atomic spacing."""

import itertools

import numpy as np
import pytest

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.coarse_grain import (
    TRUNCATION,
    gaussian_average,
    gaussian_density,
    grid_points,
    mean_spacing,
)
from stz_fem.errors import InputError

TILTS = [(0.0, 0.0, 0.0), (4.0, -2.0, 3.0)]


def atoms(tilt, n: int = 300, length: float = 15.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    box = Box.from_bounds(np.array([1.0, -3.0, 0.5]), np.array([1.0, -3.0, 0.5]) + length, tilt)
    return box, box.cartesian(rng.random((n, 3))), rng


@pytest.mark.parametrize("tilt", TILTS)
def test_density_integrates_to_the_sum_of_values(tilt) -> None:
    box, r, rng = atoms(tilt)
    values = np.column_stack([np.ones(len(r)), rng.normal(1.0, 1.0, len(r))])
    shape = (10, 10, 10)
    density = gaussian_density(box, r, values, grid_points(box, shape), 3.0)
    assert density.shape == (*shape[::-1], 2)
    integral = density.sum(axis=(0, 1, 2)) * box.volume / np.prod(shape)
    np.testing.assert_allclose(integral, values.sum(axis=0), rtol=1e-5)


@pytest.mark.parametrize("tilt", TILTS)
def test_average_is_periodic_and_exact_for_constants(tilt) -> None:
    box, r, rng = atoms(tilt)
    values = rng.normal(size=len(r))
    points = box.cartesian(rng.random((50, 3)))
    field = gaussian_average(box, r, values, points, 3.0)
    np.testing.assert_allclose(gaussian_average(box, r, np.full(len(r), 2.5), points, 3.0), 2.5)
    # translate everything, and move atoms and points by whole cell vectors
    offset = np.array([0.3, 7.1, -2.2])
    images = rng.integers(-2, 3, (len(r), 3)) @ box.h.T
    moved = gaussian_average(box, r + offset + images, values, points + offset - box.h[:, 1], 3.0)
    np.testing.assert_allclose(moved, field, rtol=1e-10)


def test_orthogonal_cell_matches_a_direct_sum_over_images() -> None:
    box, r, rng = atoms(TILTS[0], length=30.0, n=2000)
    width = 3.0
    values = rng.normal(size=len(r))
    points = box.cartesian(rng.random((20, 3)))
    shifts = np.array(list(itertools.product((-1, 0, 1), repeat=3))) @ box.h.T
    d = r[None, None, :, :] + shifts[None, :, None, :] - points[:, None, None, :]
    distance = np.linalg.norm(d, axis=-1)
    weight = np.exp(-0.5 * (distance / width) ** 2) * (distance < TRUNCATION * width)
    expected = np.einsum("psa,a->p", weight, values) / weight.sum(axis=(1, 2))
    np.testing.assert_allclose(
        gaussian_average(box, r, values, points, width), expected, rtol=1e-10
    )


def test_grid_points_are_cell_centres_in_z_y_x_order() -> None:
    box, _, _ = atoms(TILTS[1])
    points = grid_points(box, (4, 3, 2))
    assert points.shape == (2, 3, 4, 3)
    np.testing.assert_allclose(points[0, 0, 1] - points[0, 0, 0], box.h[:, 0] / 4)
    np.testing.assert_allclose(points[0, 1, 0] - points[0, 0, 0], box.h[:, 1] / 3)
    np.testing.assert_allclose(points.mean(axis=(0, 1, 2)), box.cartesian([0.5, 0.5, 0.5]))


def test_refuses_widths_below_the_mean_spacing() -> None:
    box, r, _ = atoms(TILTS[1])
    spacing = mean_spacing(box, len(r))
    assert spacing == pytest.approx((15.0**3 / 300) ** (1 / 3))
    with pytest.raises(InputError, match=r"width 2 is below the mean atomic spacing 2\.24"):
        gaussian_average(box, r, np.ones(len(r)), r[:3], 2.0)
    gaussian_average(box, r, np.ones(len(r)), r[:3], spacing)
