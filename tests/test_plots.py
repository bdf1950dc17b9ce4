"""run.png: the view on the plastic zone, and a plot of a synthetic run."""

import numpy as np

from stz_fem.plots import length_unit, next_to_symmetry_plane, plastic_zone_view, plot_run


def grid_cells(n=60):
    """Cell centroids of a 4 mm × 2 mm plate, m, with a plastic zone under (0, 2 mm)."""
    x, y = np.meshgrid(np.linspace(-2e-3, 2e-3, 2 * n), np.linspace(0.0, 2e-3, n))
    coords = np.column_stack([x.ravel(), y.ravel()])
    r = np.hypot(coords[:, 0], coords[:, 1] - 2e-3)
    plastic = np.where(r < 0.2e-3, 0.1 * (1 - r / 0.2e-3), 0.0)
    return coords, plastic


def test_the_view_frames_a_small_plastic_zone_and_not_a_spread_one():
    coords, plastic = grid_cells()
    x, y = coords.T * 1e3
    (x0, x1), (y0, y1) = plastic_zone_view(x, y, plastic)
    zone = plastic >= 0.1 * plastic.max()
    assert x0 <= x[zone].min() and x[zone].max() <= x1
    assert y0 <= y[zone].min() and y[zone].max() <= y1 == y.max()
    assert (x1 - x0) * (y1 - y0) < 0.1 * np.ptp(x) * np.ptp(y)
    assert plastic_zone_view(x, y, np.ones_like(x)) is None
    assert plastic_zone_view(x, y, np.zeros_like(x)) is None


def test_run_plot_is_written(tmp_path):
    coords, plastic = grid_cells()
    strain = np.linspace(0.0, 0.02, 50)
    curve = {"nominal_strain": strain, "mean_stress_Pa": 1e11 * np.minimum(strain, 0.01),
             "localization_index": np.where(strain > 0.01, 0.8, 0.0),
             "flowing_fraction": np.where(strain > 0.01, 0.1, 0.0),
             "max_D_per_s": np.where(strain > 0.01, 1e-3, 0.0)}
    cells = {"coords": coords, "volume": np.full(len(coords), 1e-9),
             "plastic_strain": plastic, "D_per_s": plastic,
             "chi_K": 600.0 + 1e3 * plastic}
    path = tmp_path / "run.png"
    plot_run(curve, cells, path, title="synthetic", strain_label="strain",
             load_curve=(strain, curve["mean_stress_Pa"] / 1e9, "strain", "stress (GPa)"),
             onset_strain=0.012, surface_bands=(2e-3, np.array([-1e-4, 1e-4])))
    assert path.stat().st_size > 20_000


def test_maps_are_drawn_in_the_unit_of_the_specimen_size():
    """A 10 mm bar in mm, a 0.3 mm indentation block in µm, a 16 nm slab in nm."""
    for span, unit in ((10e-3, "mm"), (0.3e-3, "µm"), (16.5e-9, "nm")):
        coords = np.array([[0.0, 0.0], [span / 2, span]])
        factor, name = length_unit(coords)
        assert name == unit and 1.0 <= span * factor < 1000.0


def test_a_3d_section_has_no_holes_where_the_mesh_is_coarse():
    """The cells mapping z = min z: a fine slab, plus coarse cells next to the plane that no
    slab 2 % of the depth thick would reach; not the cells deeper than their own size."""
    coords = np.array([[0.0, 0.0, 0.001], [1.0, 0.0, 0.5], [2.0, 0.0, 5.0], [3.0, 0.0, 10.0]])
    volume = np.array([1e-6, 1.0, 1.0, 1.0])  # coarse cells: (6V)^⅓ ≈ 1.8
    np.testing.assert_array_equal(next_to_symmetry_plane(coords, volume),
                                  [True, True, False, False])
