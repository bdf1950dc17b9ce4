"""Initial χ fields: bumps, random field statistics, gridded interpolation with periodic wrap,
an energy grid through the material's PE→χ map."""

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from stz_fem import initial_chi
from stz_fem.cases import InitialChi
from stz_fem.errors import InputError
from stz_fem.material import load

# frames 0 and 100 of the Kontolati et al. 2021 Cu50Zr50 fields (README there)
MD_FIELDS = Path(__file__).parents[1] / "data" / "kontolati2021" / "fields_frames_0_100.npz"


def test_bump_adds_a_gaussian():
    x = np.array([[0.0, 0.0], [1e-3, 0.0], [5e-3, 5e-3]])
    chi = initial_chi.bumps(x, 600.0, [initial_chi.Bump([0.0, 0.0], 200.0, 1e-3)])
    np.testing.assert_allclose(chi[:2], [800.0, 600.0 + 200.0 * np.exp(-0.5)])
    assert chi[2] == pytest.approx(600.0, abs=1e-8)


def test_random_field_has_the_requested_statistics_and_correlation():
    lower, upper, xi = np.zeros(2), np.array([0.2, 0.2]), 5e-3
    g = np.linspace(0, 0.2, 201)
    pts = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)
    chi = initial_chi.random_field(pts, lower, upper, 600.0, 20.0, xi, seed=3)
    assert chi.mean() == pytest.approx(600.0, abs=1.0)
    assert chi.std() == pytest.approx(20.0, rel=0.05)
    field = chi.reshape(201, 201) - chi.mean()
    lag = 5  # 5 mm = ξ: correlation exp(-1/2)
    corr = np.mean(field[:-lag] * field[lag:]) / field.var()
    assert corr == pytest.approx(np.exp(-0.5), abs=0.08)
    again = initial_chi.random_field(pts[::7], lower, upper, 600.0, 20.0, xi, seed=3)
    np.testing.assert_array_equal(again, chi[::7])


def test_gridded_field_reproduces_grid_values_and_wraps_periodically():
    data = np.load(MD_FIELDS)
    x, y = data["x_m"], data["y_m"]
    values = data["potential_energy_eV"][0].astype(float)
    centres = np.stack(np.meshgrid(x, y, indexing="xy"), axis=-1).reshape(-1, 2)
    got = initial_chi.gridded(centres, MD_FIELDS, key="potential_energy_eV", frame=0)
    np.testing.assert_allclose(got, values.ravel(), rtol=1e-12)
    period = x[-1] - x[0] + (x[1] - x[0])
    edge = np.array([[0.0, y[5]], [period, y[5]]])
    left, right = initial_chi.gridded(edge, MD_FIELDS, key="potential_energy_eV", frame=0)
    assert left == pytest.approx(right, rel=1e-12)
    assert left == pytest.approx(0.5 * (values[5, 0] + values[5, -1]), rel=1e-12)


def test_energy_grid_through_the_material_map_matches_chi_of_energy(tmp_path: Path) -> None:
    x, y = np.array([1e-9, 3e-9]), np.array([1e-9, 3e-9, 5e-9])
    energy = np.array([[-4.85, -4.84], [-4.83, -4.85], [-4.80, -4.86]])  # eV/atom, [y, x]
    np.savez(tmp_path / "pe.npz", x_m=x, y_m=y, pe_eV=energy)
    spec = InitialChi(kind="grid", file=str(tmp_path / "pe.npz"), key="pe_eV",
                      energy_from_material=True)
    params = load("cu50zr50").replace(pe_beta=2.0, pe_u0=-4.94, T=100.0)
    lower, upper = np.zeros(2), np.array([4e-9, 6e-9])
    centres = np.stack(np.meshgrid(x, y, indexing="xy"), axis=-1).reshape(-1, 2)
    got = initial_chi.chi0_field(spec, params, lower, upper)(centres)
    want = [params.chi_of_energy(u) for u in energy.ravel()]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(InputError, match="no PE→χ map"):
        initial_chi.chi0_field(spec, load("cu50zr50"), lower, upper)
    with pytest.raises(ValidationError, match="drop energy_beta"):
        InitialChi(kind="grid", file="pe.npz", energy_from_material=True, energy_beta=1.0,
                   energy_u0=-4.9)


def test_the_map_is_checked_where_it_is_evaluated(tmp_path: Path) -> None:
    """χ₀ is evaluated at the quadrature points, where an interpolated map can dip below its
    values at the mesh nodes (one cold grid cell between them): the function chi0_on_mesh
    returns refuses such values in one line, not only the nodes."""
    from mpi4py import MPI

    x = (np.arange(4) + 0.5) * 1e-9
    chi = np.full((4, 4), 600.0)
    chi[1, 1] = -1000.0  # at (1.5, 1.5) nm; the nodes below sit at the cells' corners
    np.savez(tmp_path / "chi.npz", x_m=x, y_m=x, chi=chi)
    spec = InitialChi(kind="grid", file=str(tmp_path / "chi.npz"), key="chi")
    corners = np.array([[i, j] for i in (0.0, 1e-9, 2e-9, 4e-9) for j in (0.0, 1e-9, 2e-9, 4e-9)])
    # accepted at the nodes: the corners of the cold cell average it away
    chi0 = initial_chi.chi0_on_mesh(spec, load("vitreloy1"), corners, MPI.COMM_SELF)
    with pytest.raises(InputError, match=r"> 0 K everywhere; .* reaches -1000 K"):
        chi0(np.array([[1.5e-9, 1.5e-9], [0.5e-9, 0.5e-9]]))
