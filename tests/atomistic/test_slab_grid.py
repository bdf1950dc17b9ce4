"""Slab coarse-graining: a homogeneous deformation of a slab with free x faces gives the known
von Mises strain and no D²min in every cell, surface energy stays out of the interior PE map,
and the files of calibration/md/slab_fields.py read back through the grid readers."""

import gzip
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.grid_fields import read_grid_fields
from stz_fem.atomistic.slab_grid import slab_fields, von_mises_strain
from stz_fem.initial_chi import gridded

SCRIPT = Path(__file__).parents[2] / "calibration" / "md" / "slab_fields.py"
SPACING = 2.0  # Å: 26 neighbours within 3.8 Å in the bulk, 17 at a face
FREE_X = (False, True, True)


def slab(m: tuple[int, int, int] = (15, 20, 5), seed: int = 0) -> tuple[Box, np.ndarray]:
    """A jittered simple cubic slab, free along x, periodic along y and z."""
    rng = np.random.default_rng(seed)
    lengths = SPACING * np.array(m, dtype=float)
    box = Box.from_bounds(np.zeros(3), lengths, periodic=FREE_X)
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in m], indexing="ij"), -1).reshape(-1, 3)
    fractional = (grid + 0.5 + rng.uniform(-0.05, 0.05, grid.shape)) / m
    return box, box.cartesian(fractional)


def mapped(box: Box, positions: np.ndarray, f: np.ndarray) -> tuple[Box, np.ndarray]:
    return Box(box.lo, f @ box.h, box.periodic), (positions - box.lo) @ f.T + box.lo


def test_von_mises_strain_of_simple_shear_and_stretch() -> None:
    gamma, eps = 0.1, 0.05
    shear = np.array([[[1.0, gamma, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])
    stretch = np.diag([1.0, 1.0 + eps, 1.0])[None]
    assert von_mises_strain(shear)[0] == pytest.approx(np.sqrt(gamma**2 / 4 + gamma**4 / 12))
    e_yy = eps + eps**2 / 2
    assert von_mises_strain(stretch)[0] == pytest.approx(e_yy / np.sqrt(3.0))
    assert von_mises_strain(np.eye(3)[None])[0] == 0.0


def test_homogeneous_shear_of_a_free_slab_is_known_in_every_cell() -> None:
    box, r = slab()
    gamma = 0.08
    f = np.array([[1.0, gamma, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    box1, r1 = mapped(box, r, f)
    outer = (r[:, 0] < SPACING) | (r[:, 0] > box.h[0, 0] - SPACING)
    # Cu and Zr at random with their own energies; surface atoms carry broken-bond energy
    types = np.random.default_rng(3).integers(1, 3, len(r))
    pe = np.where(types == 1, -3.7, -5.9) + np.where(outer, 0.8, 0.0)  # eV
    interior_mean = pe[~outer].mean()
    fields = slab_fields([(box, r, pe), (box1, r1, pe)], types, bin_size=10.0, cutoff=4.0)
    assert fields["shear_strain"].shape == (2, 4, 3)
    assert np.allclose(fields["shear_strain"][0], 0.0, atol=1e-12)
    assert np.allclose(fields["shear_strain"][1], np.sqrt(gamma**2 / 4 + gamma**4 / 12))
    assert np.abs(fields["d2min_A2"]).max() < 1e-20
    # composition noise and surface energy are gone from the map for χ, not from the raw one
    assert np.allclose(fields["pe_corrected_eV"], interior_mean)
    assert np.ptp(fields["pe_eV"][0]) > 0.2
    assert fields["atoms"].sum() == len(r)
    assert np.allclose(np.diff(fields["x_m"]), 10.0e-10) and fields["y_m"][0] == 5.0e-10


def write_dump(path: Path, frames: list[tuple[int, Box, np.ndarray, np.ndarray]]) -> None:
    """A gzipped LAMMPS text dump (id type xu yu zu c_pe) of orthogonal frames, x
    shrink-wrapped."""
    lines = []
    for step, box, r, pe in frames:
        lo, hi = box.lo, box.lo + np.diag(box.h)
        lines += ["ITEM: TIMESTEP", str(step), "ITEM: NUMBER OF ATOMS", str(len(r)),
                  "ITEM: BOX BOUNDS ss pp pp"]
        lines += [f"{a:.12g} {b:.12g}" for a, b in zip(lo, hi, strict=True)]
        lines += ["ITEM: ATOMS id type xu yu zu c_pe"]
        lines += [f"{k + 1} {k % 2 + 1} {x:.12g} {y:.12g} {z:.12g} {e:.12g}"
                  for k, ((x, y, z), e) in enumerate(zip(r, pe, strict=True))]
    with gzip.open(path, "wt") as stream:
        stream.write("\n".join(lines) + "\n")


def test_slab_fields_files_read_back(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("slab_fields", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    run = tmp_path / "run"
    run.mkdir()
    box, r = slab(seed=1)
    eps, erate, dt, every = 0.01, 0.01, 0.002, 500  # strain per frame = every·erate·dt
    pe = -4.85 + 0.01 * r[:, 1] / box.h[1, 1]  # eV, rising along y
    write_dump(run / "slab.dump.gz", [
        (every * k, *mapped(box, r, np.diag([1.0, 1.0 + k * eps, 1.0])), pe) for k in range(3)])
    (run / "force_strain.csv").write_text("engineering_strain,force_N\n0.0,0.0\n")
    (run / "log.lammps").write_text(f"read_data {run.resolve()}/glass.data\n")
    variables = {"data": str(run / "glass.data"), "dump_every": every, "erate": erate, "dt": dt}
    (run / "record.json").write_text(json.dumps({"variables": variables}))
    script.main([str(run), "--to", str(tmp_path / "small"), "--cutoff", "4.0"])

    grid = read_grid_fields(tmp_path / "small" / "fields.npz")
    assert np.allclose(grid.frames["nominal_strain"], [0.0, eps, 2 * eps])
    e_yy = 2 * eps + (2 * eps) ** 2 / 2
    assert np.allclose(grid.field("shear_strain")[2], e_yy / np.sqrt(3.0), rtol=1e-5)
    record = json.loads((tmp_path / "small" / "record.json").read_text())
    assert record["variables"]["data"] == "glass.data"
    assert str(tmp_path) not in (tmp_path / "small" / "log.lammps").read_text()
    # the FE side reads the same file: χ₀ input interpolates the reference PE map
    centre = np.array([[grid.x_m[1], grid.y_m[2]]])
    value = gridded(centre, tmp_path / "small" / "fields.npz", "pe_corrected_eV", frame=0)
    assert value[0] == pytest.approx(grid.field("pe_corrected_eV")[0, 2, 1], rel=1e-6)
    assert grid.field("pe_corrected_eV")[0, -1, 1] > grid.field("pe_corrected_eV")[0, 0, 1]
