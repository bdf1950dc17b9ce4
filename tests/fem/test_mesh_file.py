"""specimen = "mesh_file": the examples run, a user's bar reproduces the built-in one, gmsh
and meshio files give the same run, every input mistake is one line, 3-D tetrahedra run, and
2 ranks give the serial result (the ``mpi`` test; scripts/mpirun -n 2 … -m mpi)."""

import csv
import re
from pathlib import Path

import gmsh
import meshio
import numpy as np
import pytest
from mpi4py import MPI

from stz_fem import meshing
from stz_fem.cases import read_case
from stz_fem.errors import InputError
from stz_fem.material import load
from stz_fem.simulation import Simulation
from stz_fem.specimens import load_case

EXAMPLES = Path(__file__).resolve().parents[2] / "meshes" / "examples"
SHORT = ["loading.end_time=8.0", "output.fields=false", "output.interval=0.002"]


def read_curve(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def run(data, out, comm=MPI.COMM_SELF):
    with Simulation(data, out, comm) as sim:
        summary = sim.run(progress=False)
    return summary, (read_curve(out / "curve.csv") if comm.rank == 0 else None)


def build_error(data) -> str:
    """The one-line InputError that building the case raises."""
    with pytest.raises(InputError) as err:
        specimen = load_case(data)
        specimen.build(MPI.COMM_SELF)
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The two example cases (gmsh .msh and Abaqus .inp of the same mesh), shortened."""
    tmp = tmp_path_factory.mktemp("examples")
    return {name: run(read_case(EXAMPLES / f"{name}.toml", SHORT), tmp / name)
            for name in ("bar", "bar_inp")}


def test_example_runs_and_reports_the_grip_force(examples):
    summary, curve = examples["bar"]
    assert summary["status"] == "completed"
    assert summary["specimen_results"]["max_abs_force_top_N_per_m"] > 0.0
    # nominal strain = 2e-5 m/s · t / 20 mm; nominal stress = grip force / bar width (10 mm)
    np.testing.assert_allclose(curve["nominal_strain"], 1e-3 * curve["time_s"], rtol=1e-9)
    np.testing.assert_allclose(curve["mean_stress_Pa"], curve["force_top_N_per_m"] / 10e-3,
                               rtol=1e-9)
    assert curve["force_top_N_per_m"][-1] < 0.0  # compression
    assert curve["max_D_per_s"][-1] > 0.0  # it flows at the hole


def test_meshio_file_gives_the_gmsh_run(examples):
    """bar.inp (node sets) is bar.msh (physical groups) written by meshio."""
    (a_summary, a), (b_summary, b) = examples["bar"], examples["bar_inp"]
    assert a_summary["steps"] == b_summary["steps"]
    for column in ("time_s", "force_top_N_per_m", "max_chi_K"):
        np.testing.assert_allclose(b[column], a[column], rtol=1e-9)


def test_elastic_bar_from_a_file_is_the_uniaxial_bar(tmp_path, monkeypatch):
    """The uniaxial_bar's own mesh written to a file, held by groups (the left face instead
    of its mid-height node: both leave the bar homogeneous), gives its curve, and both are
    σ_yy = −E/(1 − ν²)·ε."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "cache"))
    width, height, size, rate, strain = 10e-3, 20e-3, 1e-3, 1e-3, 0.004
    path = tmp_path / "beam.msh"
    meshing.write_msh("beam", meshing.beam, {"length": width, "thickness": height,
                                             "size_fine": size, "size_far": size}, 2, path)
    elastic = ["material.s_y=1e12", "output.fields=false"]
    builtin = read_case(EXAMPLES.parents[1] / "cases" / "uniaxial_bar.toml", [
        *elastic, f"mesh.size={size}", f"loading.strain_rate={rate}",
        f"loading.end_strain={strain}", "initial_chi.kind=uniform"])
    _, expected = run(builtin, tmp_path / "builtin")
    data = {
        "specimen": "mesh_file", "mesh": {"file": str(path)},
        "material": builtin["material"] | {"s_y": 1e12}, "output": {"fields": False},
        "boundary": {"bottom": {"displacement": ["free", 0.0]},
                     "top": {"velocity": ["free", -rate * height]},
                     "left": {"displacement": [0.0, "free"]}},
        "loading": {"end_time": strain / rate},
    }
    _, curve = run(data, tmp_path / "file")
    p = load("vitreloy1")
    nu = (3 * p.K - 2 * p.G) / (2 * (3 * p.K + p.G))
    for c in (curve, expected):
        np.testing.assert_allclose(c["mean_stress_Pa"] / c["nominal_strain"], -p.E / (1 - nu**2),
                                   rtol=1e-8)
    np.testing.assert_allclose(curve["force_top_N_per_m"], curve["mean_stress_Pa"] * width,
                               rtol=1e-9)
    # linear elastic: the curves are straight through the origin, whatever the steps
    strain, stress = (np.r_[0.0, curve[k]] for k in ("nominal_strain", "mean_stress_Pa"))
    np.testing.assert_allclose(np.interp(expected["nominal_strain"], strain, stress),
                               expected["mean_stress_Pa"], rtol=1e-8)


def _example(overrides=(), **boundary):
    data = read_case(EXAMPLES / "bar.toml", list(overrides))
    if boundary:
        data["boundary"] = boundary
    return data


def _meshio_case(path: Path, points, cells, point_sets):
    meshio.write(path, meshio.Mesh(points, cells, point_sets=point_sets), file_format="abaqus")
    return {"specimen": "mesh_file", "mesh": {"file": str(path)}, "loading": {"end_time": 1.0},
            "boundary": {"bottom": {"displacement": [0.0, 0.0]},
                         "top": {"velocity": [0.0, 1e-5]}}}


SQUARE = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 1, 0], [1, 1, 0], [2, 1, 0]], float)
SETS = {"bottom": np.array([0, 1, 2]), "top": np.array([3, 4, 5])}


def test_input_mistakes_are_one_line(tmp_path):
    message = build_error(_example(topp={"velocity": ["free", -1e-5]}))
    assert "boundary.topp" in message and "did you mean 'top'" in message
    assert "bottom, hole, left, right, top" in message

    message = build_error(_example(bottom={"displacement": [0.0, 0.0, 0.0]},
                                   top={"velocity": ["free", -1e-5, "free"]}))
    assert "is 2-D" in message and "give 2" in message

    assert "no such file" in build_error(_example(["mesh.file=nowhere.msh"]))
    junk = tmp_path / "junk.msh"
    junk.write_text("this is no mesh\n")
    assert "gmsh cannot read it" in build_error(_example([f"mesh.file={junk}"]))
    junk = junk.with_suffix(".xyz")
    junk.write_text("this is no mesh\n")
    assert "meshio cannot read it" in build_error(_example([f"mesh.file={junk}"]))

    bare = tmp_path / "bare.msh"  # no physical groups: gmsh writes every element
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.occ.addRectangle(0, 0, 0, 1, 1)
        gmsh.model.occ.synchronize()
        gmsh.model.mesh.generate(2)
        gmsh.write(str(bare))
    finally:
        gmsh.finalize()
    assert "no named boundary groups" in build_error(_example([f"mesh.file={bare}"]))

    mixed = _meshio_case(tmp_path / "mixed.inp", SQUARE,
                         [("quad", [[0, 1, 4, 3]]), ("triangle", [[1, 2, 5], [1, 5, 4]])], SETS)
    assert "mixed cell types (quad, triangle)" in build_error(mixed)

    flipped = _meshio_case(tmp_path / "flipped.inp", SQUARE, [
        ("triangle", [[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 4, 5]])], SETS)
    message = build_error(flipped)
    assert "1 inverted" in message and "(1.333, 0.6667)" in message

    flat = _meshio_case(tmp_path / "flat.inp", np.vstack([SQUARE, [[2.0, 0.5, 0.0]]]), [
        ("triangle", [[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4], [2, 6, 5]])], SETS)
    assert "1 degenerate" in build_error(flat)


def test_condition_mistakes_are_one_line():
    for boundary, expected in (
        ({"top": {"velocity": ["free", 0.0]}}, "no group moves"),
        ({"top": {"velocty": [0.0, 1.0]}}, "did you mean 'velocity'"),
        ({"top": {"velocity": [1.0]}}, "list of 2 (2-D) or 3 (3-D)"),
        ({"top": {"velocity": ["free", 1.0], "displacement": [0.0, 0.0]}}, "both"),
        ({"top": {"velocity": ["free", "free"]}}, "holds nothing"),
    ):
        with pytest.raises(InputError, match=re.escape(expected)) as err:
            load_case(_example(**boundary))
        assert "\n" not in str(err.value)
    with pytest.raises(InputError, match=r"mesh\.size: unknown key"):
        load_case(_example(["mesh.size=1e-3"]))


def test_tetrahedra_run(tmp_path):
    """A 3-D block of tetrahedra pulled on top: a few steps, forces along all driven axes."""
    path = tmp_path / "block.msh"
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", 1e-3)
        gmsh.model.occ.addBox(0, 0, 0, 2e-3, 4e-3, 2e-3)
        gmsh.model.occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [1], name="block")
        for name, y in (("bottom", 0.0), ("top", 4e-3)):
            faces = [t for _, t in gmsh.model.getEntities(2)
                     if abs(gmsh.model.occ.getCenterOfMass(2, t)[1] - y) < 1e-9]
            gmsh.model.addPhysicalGroup(2, faces, name=name)
        gmsh.model.mesh.generate(3)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    data = {"specimen": "mesh_file", "mesh": {"file": str(path), "degree": 1},
            "output": {"fields": False}, "solver": {"max_steps": 4},
            "boundary": {"bottom": {"displacement": [0.0, 0.0, 0.0]},
                         "top": {"velocity": [1e-7, 4e-6, "free"]}},
            "loading": {"end_time": 10.0}}
    summary, curve = run(data, tmp_path / "out")
    assert summary["status"] == "stopped" and summary["steps"] == 4
    assert (curve["force_top_y_N"] > 0.0).all()
    assert np.abs(curve["force_top_x_N"]).max() > 0.0
    # nominal strain 4e-6 m/s · t / 4 mm; stress = y-force / top area (2 mm × 2 mm)
    np.testing.assert_allclose(curve["nominal_strain"], 1e-3 * curve["time_s"], rtol=1e-9)
    np.testing.assert_allclose(curve["mean_stress_Pa"], curve["force_top_y_N"] / 4e-6,
                               rtol=1e-9)


@pytest.mark.mpi
def test_two_ranks_give_the_serial_run(tmp_path):
    world = MPI.COMM_WORLD
    shared = Path(world.bcast(str(tmp_path), root=0))
    data = read_case(EXAMPLES / "bar.toml", ["loading.end_time=4.0", "output.fields=false"])
    parallel, a = run(data, shared / "parallel", world)
    serial, b = run(data, tmp_path / f"serial{world.rank}")
    assert parallel["ranks"] == world.size and parallel["steps"] == serial["steps"]
    if world.rank == 0:
        for column in ("time_s", "force_top_N_per_m", "max_chi_K"):
            np.testing.assert_allclose(a[column], b[column], rtol=1e-6)
    # an input mistake stops every rank with the same message (none waits for the others)
    with pytest.raises(InputError, match="did you mean 'top'"):
        with Simulation(_example(topp={"velocity": ["free", -1e-5]}), shared / "bad", world):
            pass
