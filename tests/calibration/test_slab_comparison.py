"""Slab comparison measures on synthetic grids: the arm angles of a diamond of bands, the
notch root it starts from, map correlation over the body only, and FE cells binned with notch
holes."""

import numpy as np
import pytest

from stz_fem.calibration import slab_comparison as sc
from stz_fem.calibration.md_comparison import cells_on_grid
from stz_fem.errors import InputError

X = (np.arange(20) + 0.5) * 0.5e-9  # m, a 10 × 16 nm slab on 0.5 nm cells
Y = (np.arange(32) + 0.5) * 0.5e-9
ROOTS = np.array([[2e-9, 8e-9], [8e-9, 8e-9]])


def band(angle_deg: float, through: tuple[float, float]) -> np.ndarray:
    """A Gaussian band (1 nm wide) at ``angle_deg`` to the y axis through ``through`` (m) over a
    uniform background of 0.02, with the two notch slots as nan."""
    gx, gy = np.meshgrid(X, Y)
    a = np.radians(angle_deg)
    distance = np.abs((gx - through[0]) * np.cos(a) - (gy - through[1]) * np.sin(a))
    field = 0.02 + np.exp(-((distance / 1e-9) ** 2))
    field[15:17, :3] = field[15:17, -3:] = np.nan
    return field


@pytest.mark.parametrize("angle", [35.0, 45.0, 55.0])
def test_arm_angles_of_a_diamond_from_both_roots(angle: float) -> None:
    """Four arms from the two roots (x = 2 and 8 nm, y = 8 nm) at ±angle to y."""
    arms = [band(sign * angle, tuple(root)) for root in ROOTS for sign in (1.0, -1.0)]
    diamond = np.fmax.reduce(arms)
    got = sc.arm_angles(diamond, X, Y, ROOTS, 5e-9)
    np.testing.assert_allclose(got, angle, atol=2.5)


def test_band_starts_at_the_root_it_passes() -> None:
    left = band(50.0, tuple(ROOTS[0]))
    activity = sc.root_activity(left, X, Y, ROOTS, 1.5e-9)
    assert activity[0] > 3 * activity[1]
    assert sc.start_side(activity) == "left"
    assert sc.start_side(sc.root_activity(band(50.0, tuple(ROOTS[1])), X, Y, ROOTS,
                                          1.5e-9)) == "right"
    assert sc.start_side(np.array([1.0, 0.95])) == "both"
    # born at the right root (frame 1), the left one catching up later
    activity = np.array([[0.0, 0.01], [0.01, 0.05], [0.12, 0.15], [0.19, 0.2]])
    assert sc.birth_frame(activity) == 1 and sc.start_side(activity[1]) == "right"


def test_map_correlation_ignores_cells_outside_the_body() -> None:
    a = band(45.0, (5e-9, 8e-9))
    b = 3.0 * a + 1.0
    b[0, 0] = np.nan
    assert sc.map_correlation(a, b) == pytest.approx(1.0)
    assert sc.map_correlation(a, band(-45.0, (5e-9, 8e-9))) < 0.5


def test_fe_cells_binned_with_holes() -> None:
    x, y = np.array([0.5, 1.5]), np.array([0.5, 1.5])
    coords = np.array([[0.2, 0.3], [0.7, 0.6], [1.4, 0.5], [0.5, 1.5]])
    volume = np.array([1.0, 3.0, 1.0, 1.0])
    values = np.array([1.0, 2.0, 5.0, 7.0])
    grid = cells_on_grid(coords, volume, values, x, y, holes=True)
    assert grid[0, 0] == pytest.approx(1.75) and grid[0, 1] == 5.0 and grid[1, 0] == 7.0
    assert np.isnan(grid[1, 1])
    with pytest.raises(InputError, match="coarser than"):
        cells_on_grid(coords, volume, values, x, y)
