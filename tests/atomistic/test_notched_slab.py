"""The nanoslab driver's glue: the glass data file it writes holds the dump's atoms in the
dump's cell, and the force table converts LAMMPS metal units to N and Pa."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.lammps_dump import iter_dump

MD = Path(__file__).parents[2] / "calibration" / "md"
GLASS = Path(__file__).parents[2] / "calibration" / "data" / "relax_q1e13_T100_r1e9.dump.gz"


@pytest.fixture(scope="module")
def driver():
    sys.path.insert(0, str(MD))  # notched_slab imports run_md from its folder
    try:
        spec = importlib.util.spec_from_file_location("notched_slab", MD / "notched_slab.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(MD))
    return module


def test_glass_data_file_holds_the_dump_frame(driver, tmp_path: Path) -> None:
    n = driver.write_glass_data(GLASS, tmp_path / "glass.data")
    frame = next(iter_dump(GLASS))
    lines = (tmp_path / "glass.data").read_text().splitlines()
    atoms = np.array([line.split() for line in lines[lines.index("Atoms # atomic") + 2:]],
                     dtype=float)
    assert n == len(frame) == len(atoms) == 2000
    np.testing.assert_allclose(atoms[:, 2:], frame.positions(unwrapped=False), atol=1e-6)
    np.testing.assert_array_equal(atoms[:, 1], frame.atoms["type"])
    lo, hi = frame.box.lo, frame.box.lo + np.diag(frame.box.h)
    assert f"{lo[2]:.9g} {hi[2]:.9g} zlo zhi" in lines
    inside = (atoms[:, 2:] >= lo) & (atoms[:, 2:] < hi)
    assert inside.all()


def test_force_table_in_newtons_and_pascals(driver, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text(
        "# Time-averaged data for fix curve\n"
        "# TimeStep v_strain v_force c_thermo_temp v_pea\n"
        "50 0.0005 2.0e7 100.0 -4.8\n")
    driver.write_force_strain(tmp_path / "f.txt", tmp_path / "f.csv", area_A2=1000.0)
    row = np.genfromtxt(tmp_path / "f.csv", delimiter=",", names=True)
    # 2e7 bar·Å² = 2e7 · 1e5 Pa · 1e-20 m² = 2e-8 N over 1000 Å² = 1e-17 m²: 2 GPa
    assert row["force_N"] == pytest.approx(2e-8)
    assert row["nominal_stress_Pa"] == pytest.approx(2e9)
    assert row["engineering_strain"] == pytest.approx(5e-4)


@pytest.mark.slow
def test_tiny_slab_end_to_end(driver, tmp_path: Path) -> None:
    """One glass cell, small notches, 1 % of tensile strain: the slab loses the notch atoms,
    carries a nominal stress that grows with strain and dumps every 0.5 %."""
    driver.main(["--out", str(tmp_path), "--replicas", "1", "1", "1", "--notch-depth", "6",
                 "--notch-radius", "3", "--anneal-ps", "0.2", "--max-strain", "0.01",
                 "--dump-strain", "0.005"])
    curve = np.genfromtxt(tmp_path / "force_strain.csv", delimiter=",", names=True)
    slope = np.polyfit(curve["engineering_strain"], curve["nominal_stress_Pa"], 1)[0]
    assert 2e9 < slope < 200e9  # Pa; the slab is 3 nm wide and starts from rest (inertia)
    # two notches: slot 3 × 6 Å plus half a 3 Å disc, through 33 Å, at 17.9 Å³ per atom
    notched = 2 * (3.0 * 6.0 + 0.5 * np.pi * 3.0**2) * 33.0 / 17.9
    assert driver.slab_size(tmp_path / "log.lammps")["atoms"] == pytest.approx(
        2000 - notched, abs=25)
    assert [f.timestep for f in iter_dump(tmp_path / "slab.dump.gz")] == [0, 250, 500]
