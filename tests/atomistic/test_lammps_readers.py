"""LAMMPS log, fix ave/time and dump readers on the quick-mode fixtures (real LAMMPS output)."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.ave_time import read_ave_time
from stz_fem.atomistic.lammps_dump import read_dump
from stz_fem.atomistic.lammps_log import read_log
from stz_fem.atomistic.units import unit_style
from stz_fem.errors import InputError

from .conftest import FIXTURES


def shear_log(run: dict) -> Path:
    return FIXTURES / f"log_{run['run']}.lammps"


def test_log_has_relaxation_and_shear_blocks(first_shear: dict) -> None:
    v = first_shear["variables"]
    log = read_log(shear_log(first_shear))
    assert log.units == "metal"
    relax, shear = log.blocks
    assert relax["Step"][-1] == v["equil_steps"]
    assert shear["Step"][-1] == v["shear_steps"]
    np.testing.assert_allclose(shear["Time"], shear["Step"] * v["dt"])
    # strain = xy/ly grows at the imposed engineering rate (1/ps)
    np.testing.assert_allclose(shear["v_strain"], v["erate"] * shear["Time"], rtol=1e-5)
    assert len(log.column("v_pea")) == len(relax) + len(shear)


def test_log_missing_column_names_file_and_alternatives(first_shear: dict) -> None:
    log = read_log(shear_log(first_shear))
    with pytest.raises(InputError, match=r"log_shear.*'c_nope'.*available:.*v_strain"):
        log.column("c_nope")
    with pytest.raises(InputError, match=r"run 1.*'v_strain'.*available: Step, Time, Temp"):
        log.blocks[0]["v_strain"]


def test_log_skips_warnings_and_keeps_a_run_cut_short(first_shear: dict, tmp_path: Path) -> None:
    lines = shear_log(first_shear).read_text().splitlines()
    start = max(k for k, line in enumerate(lines) if line.startswith("Per MPI rank memory"))
    cut = [*lines[: start + 4], "WARNING: some warning (src/file.cpp:1)", lines[start + 4]]
    (tmp_path / "log.lammps").write_text("\n".join(cut))
    shear = read_log(tmp_path / "log.lammps").blocks[1]
    assert len(shear) == 3
    assert shear["Step"][-1] == float(lines[start + 4].split()[0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("units metal\nrun 0\n", "no thermo output"),
        ("Per MPI rank memory allocation = 3 Mbytes\n1 2 3\n", "not a one-line thermo style"),
        ("Per MPI rank memory allocation = 3 Mbytes\n---- Step 0 ----\n", "one-line"),
    ],
)
def test_log_malformed(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "log.lammps").write_text(text)
    with pytest.raises(InputError, match=message):
        read_log(tmp_path / "log.lammps")


def test_missing_files_raise_input_error(tmp_path: Path) -> None:
    for reader in (read_log, read_ave_time, read_dump):
        with pytest.raises(InputError, match=r"absent\.txt: cannot read"):
            reader(tmp_path / "absent.txt")


def test_ave_time_columns_and_si_table(first_shear: dict) -> None:
    v = first_shear["variables"]
    table = read_ave_time(FIXTURES / f"stress_strain_{v['tag']}.txt")
    assert table.names == ["TimeStep", "v_strain", "c_ptd[4]", "c_tdef", "v_pea"]
    step = table["TimeStep"]
    np.testing.assert_array_equal(step, v["nfreq"] * np.arange(1, len(step) + 1))
    # each row averages nrepeat samples spaced by sample steps, ending at TimeStep
    middle = step - 0.5 * (v["nrepeat"] - 1) * v["sample"]
    np.testing.assert_allclose(table["v_strain"], v["erate"] * v["dt"] * middle, rtol=1e-4)
    assert abs(table["c_tdef"].mean() / first_shear["temperature"] - 1.0) < 0.05
    csv = np.loadtxt(FIXTURES / f"stress_strain_{v['tag']}.csv", delimiter=",", skiprows=1)
    metal = unit_style("metal")
    np.testing.assert_allclose(csv[:, 1], -table["c_ptd[4]"] * metal.pressure_Pa, rtol=1e-5)
    np.testing.assert_allclose(csv[:, 3], table["v_pea"] * metal.energy_eV, rtol=1e-6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3\n", "no '# TimeStep"),
        ("# fix\n# TimeStep Number-of-rows\n# Row c_x\n10 1\n1 0.5\n", "vector mode"),
        ("# fix\n# TimeStep v_a v_b\n10 1.0\n", "rows are not 3 numbers"),
    ],
)
def test_ave_time_malformed(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "ave.txt").write_text(text)
    with pytest.raises(InputError, match=message):
        read_ave_time(tmp_path / "ave.txt")


def test_ave_time_missing_column(first_shear: dict) -> None:
    table = read_ave_time(FIXTURES / f"stress_strain_{first_shear['variables']['tag']}.txt")
    with pytest.raises(InputError, match=r"stress_strain_.*\.txt: no column 'c_pxy'.*c_ptd\[4\]"):
        table["c_pxy"]


def test_unit_styles() -> None:
    metal, real, lj = unit_style("metal"), unit_style("real"), unit_style("lj")
    assert (metal.length_m, metal.time_s, metal.pressure_Pa) == (1e-10, 1e-12, 1e5)
    assert metal.energy_eV == 1.0 and metal.energy_J == pytest.approx(1.602176634e-19)
    assert real.energy_eV == pytest.approx(0.0433641, rel=1e-5)
    assert real.pressure_Pa == 101325.0 and real.time_s == 1e-15
    assert lj.reduced and lj.pressure_Pa == lj.length_m == 1.0
    with pytest.raises(InputError, match=r"in\.x: unsupported .* 'cgs'; available: metal"):
        unit_style("cgs", "in.x")


def test_dump_frames_and_triclinic_box(manifest: dict, first_shear: dict) -> None:
    plan, v = manifest["plan"], first_shear["variables"]
    frames = read_dump(FIXTURES / f"shear_{v['tag']}.dump.gz")
    assert len(frames) == round(plan["max_strain"] / plan["dump_strain"]) + 1
    assert [f.timestep for f in frames] == [k * v["dump_every"] for k in range(len(frames))]
    first = frames[0].box
    for frame in frames:
        assert len(frame) == manifest["atoms"]
        np.testing.assert_array_equal(frame.atoms["id"], np.arange(1, manifest["atoms"] + 1))
        np.testing.assert_allclose(frame.box.lo, first.lo)
        np.testing.assert_allclose(np.diag(frame.box.h), np.diag(first.h))
        xy, xz, yz = frame.box.tilt
        assert xy / frame.box.h[1, 1] == pytest.approx(v["erate"] * v["dt"] * frame.timestep)
        assert xz == yz == 0.0
    assert np.count_nonzero(frames[0].atoms["type"] == 2) == manifest["atoms"] // 2
    # per-atom PE of frame 0 averages to the thermo PE per atom at shear step 0
    pea = read_log(shear_log(first_shear)).blocks[1]["v_pea"][0]
    assert frames[0].atoms["c_pe"].mean() == pytest.approx(pea, rel=1e-7)


def test_dump_plain_and_gzip_agree(first_shear: dict, tmp_path: Path) -> None:
    source = FIXTURES / f"shear_{first_shear['variables']['tag']}.dump.gz"
    with gzip.open(source, "rb") as packed, (tmp_path / "plain.dump").open("wb") as plain:
        shutil.copyfileobj(packed, plain)
    for a, b in zip(read_dump(source), read_dump(tmp_path / "plain.dump"), strict=True):
        np.testing.assert_array_equal(a.positions(), b.positions())
        np.testing.assert_array_equal(a.box.h, b.box.h)


def test_dump_orthogonal_wrapped_positions_and_image_flags(first_shear: dict) -> None:
    frames = read_dump(FIXTURES / f"relax_{first_shear['variables']['tag']}.dump.gz")
    assert len(frames) == 2
    for frame in frames:
        assert frame.box.orthogonal
        wrapped = frame.positions(unwrapped=False)
        fractional = frame.box.fractional(wrapped)
        assert fractional.min() >= 0.0 and fractional.max() < 1.0
        written = np.column_stack([frame.atoms[n] for n in ("x", "y", "z")])
        image = np.column_stack([frame.atoms[n] for n in ("ix", "iy", "iz")])
        np.testing.assert_allclose(frame.positions(), written + image * np.diag(frame.box.h))
        moved = (written - wrapped) / np.diag(frame.box.h)
        np.testing.assert_allclose(moved, np.rint(moved), atol=1e-9)
    assert frames[0].box.volume != frames[1].box.volume  # NPT relaxation


def write_dump(path: Path, bounds: str, rows: np.ndarray, names: str, natoms: int = 0) -> None:
    body = "\n".join(" ".join(f"{value:.10g}" for value in row) for row in rows)
    path.write_text(
        f"ITEM: TIMESTEP\n7\nITEM: NUMBER OF ATOMS\n{natoms or len(rows)}\n{bounds}\n"
        f"ITEM: ATOMS {names}\n{body}\n"
    )


def test_dump_bounding_box_and_scaled_positions(tmp_path: Path) -> None:
    lo, hi, (xy, xz, yz) = np.array([-1.0, 2.0, 0.5]), np.array([9.0, 10.0, 6.5]), (-2.0, 1.5, 0.7)
    # LAMMPS writes the bounding box of the tilted cell
    low = lo + np.array([min(0.0, xy, xz, xy + xz), min(0.0, yz), 0.0])
    high = hi + np.array([max(0.0, xy, xz, xy + xz), max(0.0, yz), 0.0])
    bounds = "ITEM: BOX BOUNDS xy xz yz pp pp ff\n" + "\n".join(
        f"{a} {b} {t}" for a, b, t in zip(low, high, (xy, xz, yz), strict=True)
    )
    rng = np.random.default_rng(1)
    scaled = rng.random((5, 3))
    write_dump(
        tmp_path / "d.txt",
        bounds,
        np.column_stack([[3, 1, 2, 5, 4], [1] * 5, scaled]),
        "id type xs ys zs",
    )
    (frame,) = read_dump(tmp_path / "d.txt")
    h = np.array([[10.0, xy, xz], [0.0, 8.0, yz], [0.0, 0.0, 6.0]])
    np.testing.assert_allclose(frame.box.lo, lo)
    np.testing.assert_allclose(frame.box.h, h)
    assert frame.box.periodic == (True, True, False)
    order = np.argsort([3, 1, 2, 5, 4])
    np.testing.assert_allclose(frame.positions(unwrapped=False), lo + scaled[order] @ h.T)
    with pytest.raises(
        InputError, match=r"d\.txt \(timestep 7\): no unwrapped .*available: id, type, xs"
    ):
        frame.positions()


@pytest.mark.parametrize(
    ("bounds", "rows", "message"),
    [
        ("ITEM: BOX BOUNDS abc origin\n0 1 0 0\n0 0 1 0\n0 0 0 1", 2, "not supported"),
        ("ITEM: BOX BOUNDS pp pp pp\n0 1\n0 1\n0 1", 1, "needs 2 lines of 5 numbers"),
        ("ITEM: BOX pp pp pp\n0 1\n0 1\n0 1", 2, "expected 'ITEM: BOX BOUNDS'"),
    ],
)
def test_dump_malformed(tmp_path: Path, bounds: str, rows: int, message: str) -> None:
    write_dump(tmp_path / "d.txt", bounds, np.ones((rows, 5)), "id type x y z", natoms=2)
    with pytest.raises(InputError, match=message):
        read_dump(tmp_path / "d.txt")


def test_dump_truncated_gzip(first_shear: dict, tmp_path: Path) -> None:
    packed = (FIXTURES / f"shear_{first_shear['variables']['tag']}.dump.gz").read_bytes()
    (tmp_path / "cut.dump.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"cut\.dump\.gz: cannot read LAMMPS dump \(Compressed"):
        read_dump(tmp_path / "cut.dump.gz")
