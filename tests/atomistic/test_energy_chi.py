"""Species-offset removal and the energy → χ map, synthetic and on a LAMMPS dump."""

import numpy as np
import pytest

from stz_fem.atomistic.coarse_grain import gaussian_average, grid_points, mean_spacing
from stz_fem.atomistic.energy_chi import chi_from_energy, composition_corrected, species_offsets
from stz_fem.atomistic.lammps_dump import read_dump

from .conftest import FIXTURES


def alloy(rng: np.random.Generator, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    types = rng.integers(1, 3, n)
    return np.where(types == 1, -3.74, -5.97) + rng.normal(0.0, 0.05, n), types


def test_corrected_energy_has_no_species_offset() -> None:
    energy, types = alloy(np.random.default_rng(0))
    corrected = composition_corrected(energy, types)
    assert corrected.mean() == pytest.approx(energy.mean())
    for t in (1, 2):
        assert corrected[types == t].mean() == pytest.approx(energy.mean())
        np.testing.assert_allclose(
            np.ptp(corrected[types == t] - energy[types == t]), 0.0, atol=1e-12
        )
    offsets = species_offsets(energy, types)
    assert np.isnan(offsets[0])
    assert offsets[2] - offsets[1] == pytest.approx(-2.23, abs=0.02)


def test_reference_offsets_keep_a_change_of_mean_energy() -> None:
    energy, types = alloy(np.random.default_rng(1))
    offsets = species_offsets(energy, types)
    later = composition_corrected(energy + 0.01, types, offsets)
    assert later.mean() == pytest.approx(energy.mean() + 0.01)


def test_chi_map_is_linear_with_kontolati_constants() -> None:
    beta, u0, t_z = 8.0, -3.3625, 21000.0
    chi = chi_from_energy(np.array([u0, u0 + 1.0 / beta, u0 + 0.004]), beta, u0, t_z)
    np.testing.assert_allclose(chi, [0.0, t_z, 672.0])


def test_correction_removes_composition_noise_from_a_coarse_grained_dump(first_shear) -> None:
    frame = read_dump(FIXTURES / f"shear_{first_shear['variables']['tag']}.dump.gz")[0]
    r, energy, types = frame.positions(), frame.atoms["c_pe"], frame.atoms["type"]
    width = 1.5 * mean_spacing(frame.box, len(r))
    points = grid_points(frame.box, (6, 6, 6))
    raw = gaussian_average(frame.box, r, energy, points, width)
    corrected = gaussian_average(frame.box, r, composition_corrected(energy, types), points, width)
    assert corrected.mean() == pytest.approx(energy.mean(), abs=0.01)
    assert corrected.std() < 0.5 * raw.std()


def test_map_from_anchor_states_recovers_the_source_map():
    """β = 8 1/eV, U₀ = −3.3625 eV (Kontolati et al. 2021) from the energies that map to χ₀
    and χ∞; flow that lowers the energy is refused."""
    import pytest

    from stz_fem.atomistic.energy_chi import map_from_anchors

    beta, u0, t_z = 8.0, -3.3625, 21000.0
    u_q, u_f = u0 + 488.0 / (beta * t_z), u0 + 1730.0 / (beta * t_z)
    assert map_from_anchors(u_q, u_f, 488.0, 1730.0, t_z) == pytest.approx((beta, u0), rel=1e-12)
    with pytest.raises(ValueError, match="rejuvenates"):
        map_from_anchors(u_f, u_q, 488.0, 1730.0, t_z)
