"""Gridded-field reader (.npz with coordinates in metres) and the Kontolati et al. 2021 data."""

from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.energy_chi import chi_from_energy
from stz_fem.atomistic.grid_band import band_across_y
from stz_fem.atomistic.grid_fields import read_grid_fields
from stz_fem.errors import InputError
from stz_fem.material.presets import PRESETS

# frames 0 and 100 (γ = 0, 0.5) of the Kontolati et al. 2021 Cu50Zr50 fields (README there)
KONTOLATI = Path(__file__).parents[1] / "data" / "kontolati2021" / "fields_frames_0_100.npz"


def write_grid(path: Path, **extra: np.ndarray) -> None:
    x = (np.arange(5) + 0.5) * 2e-9
    y = (np.arange(4) + 0.5) * 3e-9
    np.savez(
        path,
        x_m=x,
        y_m=y,
        strain=np.zeros((3, 4, 5)),
        energy=np.ones((4, 5)),
        nominal=np.array([0.0, 0.1, 0.2]),
        **extra,
    )


def test_reads_fields_frames_and_periods(tmp_path: Path) -> None:
    write_grid(tmp_path / "g.npz")
    grid = read_grid_fields(tmp_path / "g.npz")
    assert sorted(grid.fields) == ["energy", "strain"] and list(grid.frames) == ["nominal"]
    assert grid.field("strain").shape == (3, 4, 5)
    np.testing.assert_allclose(grid.period_m, (10e-9, 12e-9))
    with pytest.raises(InputError, match=r"g\.npz: no gridded field 'chi'; available: strain"):
        grid.field("chi")


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x_m": np.arange(3.0), "f": np.zeros((3, 3))}, r"no coordinate array y_m; available"),
        ({"odd": np.zeros((2, 7))}, r"arrays odd match neither the grid \(4, 5\)"),
        ({"counts": np.zeros(5)}, r"arrays counts match neither"),
    ],
)
def test_malformed_files(tmp_path: Path, arrays: dict, message: str) -> None:
    if "x_m" in arrays:
        np.savez(tmp_path / "g.npz", **arrays)
    else:
        write_grid(tmp_path / "g.npz", **arrays)
    with pytest.raises(InputError, match=message):
        read_grid_fields(tmp_path / "g.npz")
    with pytest.raises(InputError, match=r"absent\.npz: cannot read"):
        read_grid_fields(tmp_path / "absent.npz")


def test_kontolati_band_at_final_strain() -> None:
    grid = read_grid_fields(KONTOLATI)
    strain = grid.field("shear_strain")
    assert strain.shape == (2, 32, 32) and list(grid.frames["nominal_shear_strain"]) == [0.0, 0.5]
    np.testing.assert_allclose(grid.period_m, (40e-9, 40e-9))
    band = band_across_y(strain[-1], grid.y_m)
    # the band sits near y = 22 nm and is about 12 nm wide (tests/data/kontolati2021/README.md)
    assert 20e-9 < band.centre < 24e-9
    assert 10e-9 < band.width < 14e-9


def test_kontolati_initial_chi_is_the_cu50zr50_preset() -> None:
    """χ₀ of the cu50zr50 preset: frame 0 mapped by the source's χ = β (U − U₀) T_Z."""
    energy = read_grid_fields(KONTOLATI).field("potential_energy_eV")[0]
    chi = chi_from_energy(energy, beta=8.0, u0=-3.3625, t_z=21000.0)
    assert chi.mean() == pytest.approx(PRESETS["cu50zr50"]["chi0"], abs=0.5)
