"""Beams in bending: elastic beam theory, equilibrium of rollers and supports, notch geometry,
and bands counted on the tensile face."""

from pathlib import Path

import gmsh
import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.errors import InputError
from stz_fem.fem.contact import evaluate
from stz_fem.material import load
from stz_fem.material_point import read_curve
from stz_fem.meshing import beam, double_edge_notched_bar
from stz_fem.simulation import Simulation

CASES = Path(__file__).resolve().parents[2] / "cases"
ELASTIC = "material.s_y=1e12"  # far above any stress here: the beam stays elastic


def plane_strain_modulus() -> float:
    p = load("vitreloy1")
    nu = (3 * p.K - 2 * p.G) / (2 * (3 * p.K + p.G))
    return p.E / (1 - nu**2)


def notch_area(depth: float, radius: float, angle_deg: float) -> float:
    """Area (m²) of a notch with a round root and straight flanks: the flanks' trapezoid down
    to the tangent points plus the circular segment beyond them."""
    half = np.radians(0.5 * angle_deg)
    level = depth - radius + radius * np.sin(half)  # depth of the tangent points
    half_width = radius * np.cos(half)
    return (2 * half_width * level + np.tan(half) * level**2
            + radius**2 * (0.5 * np.pi - half) - radius**2 * np.sin(half) * np.cos(half))


def meshed_area(builder, **params) -> float:
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        builder(**params)
        gmsh.model.mesh.generate(2)
        tags, x, _ = gmsh.model.mesh.getNodes()
        index = np.zeros(int(tags.max()) + 1, dtype=int)
        index[tags.astype(int)] = np.arange(tags.size)
        x = x.reshape(-1, 3)
        _, _, nodes = gmsh.model.mesh.getElements(2)
        a, b, c = (x[index[nodes[0].astype(int).reshape(-1, 3)[:, k]]] for k in range(3))
        return float(0.5 * np.abs(np.cross(b - a, c - a)[:, 2]).sum())
    finally:
        gmsh.finalize()


@pytest.mark.parametrize("angle", [0.0, 60.0])
def test_notched_meshes_have_the_notch_area(angle):
    """U and V notches (with a round root) cut exactly their area out of bar and beam."""
    bar = meshed_area(double_edge_notched_bar, width=10e-3, length=30e-3, notch_depth=2e-3,
                      notch_radius=0.2e-3, size_root=0.02e-3, size_far=2e-3, notch_angle=angle)
    expected = 10e-3 * 30e-3 - 2 * notch_area(2e-3, 0.2e-3, angle)
    assert bar == pytest.approx(expected, rel=1e-5)
    notched_beam = meshed_area(beam, length=44e-3, thickness=10e-3, size_fine=0.02e-3,
                               size_far=2e-3, notch_depth=3e-3, notch_radius=0.25e-3,
                               notch_angle=angle)
    assert notched_beam == pytest.approx(44e-3 * 10e-3 - notch_area(3e-3, 0.25e-3, angle),
                                         rel=1e-5)


def test_elastic_pure_bending_follows_beam_theory(tmp_path, monkeypatch):
    """6M/t² = E/(1 − ν²)·ε at the surface, at every step (plane strain, grips ~3 t apart)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    data = read_case(CASES / "pure_bending.toml", [
        ELASTIC, "mesh.size=0.2e-3", "mesh.grading=2.0", "loading.end_strain=0.004",
        "output.fields=false", "output.interval=0.001"])
    with Simulation(data, tmp_path / "run", MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
    curve = read_curve(tmp_path / "run" / "curve.csv")
    assert curve["step"].size >= 3 and summary["steps"] == curve["step"].size
    ratio = curve["mean_stress_Pa"] / curve["nominal_strain"]
    # clamped grips stiffen the ends a little: within 3 % of the slender-beam value
    np.testing.assert_allclose(ratio, plane_strain_modulus(), rtol=0.03)
    assert summary["bands"]["count"] == 0


def test_four_point_rollers_balance_the_supports(tmp_path, monkeypatch):
    """Elastic four-point bending: the loading rollers' contact force equals the support
    reactions (equilibrium), the two rollers share it about equally, and the nominal
    stress–strain slope is the plane-strain modulus within 10 % (beam theory)."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    data = read_case(CASES / "four_point_bending.toml", [
        ELASTIC, "mesh.size=0.1e-3", "mesh.grading=4.0", "geometry.refine_depth=0.0",
        "loading.end_strain=0.003", "output.fields=false", "output.interval=0.001",
        "initial_chi.kind=uniform"])
    with Simulation(data, tmp_path / "run", MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
        solver, contact = sim.solver, sim.setup.contact
        rollers = [evaluate(contact.forms(solver.u, solver.time_constant, k),
                            MPI.COMM_SELF)["force"] for k in range(2)]
        supports = sum(solver.constraints.reaction(solver.internal_force(),
                                                   sim.setup.facets[end], 1)
                       for end in ("left", "right"))
    assert len(rollers) == 2 and rollers[0] > 0.0
    # two rollers driven together share the load by their contact compliances (statically
    # indeterminate), and their contacts (half-width ~35 µm) are under one element here
    assert rollers[0] == pytest.approx(rollers[1], rel=0.05)
    assert supports == pytest.approx(sum(rollers), rel=1e-5)
    curve = read_curve(tmp_path / "run" / "curve.csv")
    slope = curve["mean_stress_Pa"][-1] / curve["nominal_strain"][-1]
    assert slope == pytest.approx(plane_strain_modulus(), rel=0.10)
    assert summary["specimen_results"]["load_drops"] == []


def test_plastic_bending_counts_bands_on_the_tensile_face(tmp_path, monkeypatch):
    """Pure bending past yield: plastic strain at both faces, an elastic core at mid-height,
    and bands (peaks of plastic strain) counted on the tensile face with their spacing."""
    monkeypatch.setenv("STZ_FEM_MESH_CACHE", str(tmp_path / "meshes"))
    data = read_case(CASES / "pure_bending.toml", [
        "geometry.thickness=1e-3", "geometry.length=4e-3", "geometry.refine_depth=0.3e-3",
        "loading.end_strain=0.05", "output.fields=false", "output.interval=0.01"])
    with Simulation(data, tmp_path / "run", MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
        cells = sim.fields.gather(sim.fields.averages())
    y, strain = cells["coords"][:, 1], cells["plastic_strain"]
    assert strain[y < 0.1e-3].mean() > 0.02 and strain[y > 0.9e-3].mean() > 0.02
    assert strain[np.abs(y - 0.5e-3) < 0.05e-3].max() < 1e-3
    bands = summary["bands"]
    assert bands["count"] >= 2
    assert 2 * data["mesh"]["size"] < bands["spacing_m"] < 2e-3
    # the repeat distance of the face's pattern, with no threshold: several elements, and
    # within the counted stretch's half
    assert 4 * data["mesh"]["size"] < bands["period_m"] <= 1e-3
    # where they meet the face (drawn on run.png): on the counted stretch, t from the grips,
    # and each where the face's plastic strain stands above its median
    at = np.array(bands["positions_m"])
    assert at.size == bands["count"] and np.all(np.diff(at) > 0) and np.abs(at).max() <= 1e-3
    assert np.diff(at).mean() == pytest.approx(bands["spacing_m"])
    x, h = cells["coords"][:, 0], data["mesh"]["size"]
    face = (y < 2 * h) & (np.abs(x) <= 1e-3)
    for position in at:
        assert strain[face & (np.abs(x - position) < h)].mean() > np.median(strain[face])


def test_beam_geometry_is_checked(tmp_path):
    data = read_case(CASES / "four_point_bending.toml", ["geometry.load_span=30e-3"])
    with pytest.raises(InputError, match="load_span"):
        Simulation(data, tmp_path, MPI.COMM_SELF)
    data = read_case(CASES / "notched_bend.toml", ["geometry.notch_depth=6e-3"])
    with pytest.raises(InputError, match="notch_depth"):
        Simulation(data, tmp_path, MPI.COMM_SELF)
