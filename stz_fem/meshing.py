"""gmsh meshes built on demand and cached by their parameters.

A builder fills the current gmsh model (geometry, physical groups named after the boundaries
that conditions use, size fields). ``cached_mesh`` runs it on rank 0 only when no mesh with
the same builder and parameters is in the cache (``$STZ_FEM_MESH_CACHE``, else
``./meshes/cache``), then every rank reads the .msh and DOLFINx distributes it.
"""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import gmsh
import numpy as np
from dolfinx.io import gmsh as dolfinx_gmsh
from mpi4py import MPI


def cache_dir() -> Path:
    return Path(os.environ.get("STZ_FEM_MESH_CACHE", Path.cwd() / "meshes" / "cache"))


def model_unit(length: float) -> float:
    """Length unit (m) to build a geometry of size ``length`` (m) in: OpenCASCADE's confusion
    tolerance is a fixed 1e-7 model units, which breaks nanometre features drawn in metres, so
    geometry below 10 µm is drawn in µm (``cached_mesh`` scales the mesh back to m)."""
    return 1e-6 if length < 1e-5 else 1.0


def cached_mesh(
    name: str, builder: Callable[..., None], params: dict[str, Any], comm: MPI.Comm, gdim: int,
    unit: float = 1.0,
) -> dolfinx_gmsh.MeshData:
    """The mesh ``builder(**params)`` makes, from the cache when it is there already; the
    builder's lengths are in ``unit`` m (see ``model_unit``), the mesh's in m."""
    scaled = {"unit": unit} if unit != 1.0 else {}
    key = hashlib.sha1(
        json.dumps({"name": name, **params, **scaled}, sort_keys=True).encode()).hexdigest()
    path = cache_dir() / f"{name}-{key[:12]}.msh"
    if comm.rank == 0 and not path.exists():
        write_msh(name, builder, params, gdim, path, unit)
    comm.Barrier()
    if comm.rank != 0:
        return dolfinx_gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=gdim)
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.merge(str(path))
        return dolfinx_gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=gdim)
    finally:
        gmsh.finalize()


def write_msh(name: str, builder: Callable[..., None], params: dict[str, Any], gdim: int,
              path: Path, unit: float = 1.0) -> None:
    """Run ``builder(**params)`` in a new gmsh model ``name``, mesh it in ``gdim`` dimensions
    and write it to ``path`` (.msh, coordinates multiplied by ``unit``; written to a temporary
    name first, so that a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add(name)
        builder(**params)
        gmsh.model.mesh.generate(gdim)
        gmsh.option.setNumber("Mesh.ScalingFactor", unit)
        tmp = path.with_suffix(f".{os.getpid()}.msh")
        gmsh.write(str(tmp))
        tmp.replace(path)
    finally:
        gmsh.finalize()


def _notch(edge: tuple[float, float], inward: tuple[float, float], depth: float, radius: float,
           angle_deg: float) -> list[tuple[int, int]]:
    """OCC surfaces that cut a notch into a plane edge.

    The notch runs ``depth`` (m) from the edge point along the unit vector ``inward``; its root
    is a circle of ``radius`` (m) and its flanks are tangent to it with an included angle of
    ``angle_deg`` (0: a U notch with parallel flanks; 60: a typical V notch).
    """
    occ = gmsh.model.occ
    n, tangent = np.array(inward, dtype=float), np.array([-inward[1], inward[0]], dtype=float)
    half = np.radians(0.5 * angle_deg)
    centre = np.array(edge) + (depth - radius) * n
    # each flank leaves its tangent point outwards and ends one radius beyond the edge
    run = (depth - radius + radius * np.sin(half) + radius) / np.cos(half)
    corners = []
    for side in (1.0, -1.0):
        touch = centre + radius * (side * np.cos(half) * tangent + np.sin(half) * n)
        corners.append((touch, touch + run * (-np.cos(half) * n + side * np.sin(half) * tangent)))
    ring = [corners[0][0], corners[0][1], corners[1][1], corners[1][0]]
    points = [occ.addPoint(x, y, 0.0) for x, y in ring]
    lines = [occ.addLine(points[i], points[(i + 1) % 4]) for i in range(4)]
    flanks = occ.addPlaneSurface([occ.addCurveLoop(lines)])
    root = occ.addDisk(centre[0], centre[1], 0.0, radius, radius)
    return [(2, flanks), (2, root)]


def _refine(targets: list[tuple[str, list[int], float, float, float]], size_far: float) -> None:
    """Background size: the smallest of one Threshold field per (kind, tags, size, reach,
    spread): ``size`` within ``reach`` (m) of the curves or points ``tags`` (kind "CurvesList"
    or "PointsList"), growing linearly to ``size_far`` over ``spread`` (m) beyond."""
    for option in ("Mesh.MeshSizeFromPoints", "Mesh.MeshSizeFromCurvature",
                   "Mesh.MeshSizeExtendFromBoundary"):
        gmsh.option.setNumber(option, 0)
    gmsh.option.setNumber("Mesh.MeshSizeMax", size_far)
    field = gmsh.model.mesh.field
    thresholds = []
    for kind, tags, size, reach, spread in targets:
        distance = field.add("Distance")
        field.setNumbers(distance, kind, tags)
        field.setNumber(distance, "Sampling", 100)
        threshold = field.add("Threshold")
        field.setNumber(threshold, "InField", distance)
        field.setNumber(threshold, "SizeMin", size)
        field.setNumber(threshold, "SizeMax", size_far)
        field.setNumber(threshold, "DistMin", reach)
        field.setNumber(threshold, "DistMax", reach + spread)
        thresholds.append(threshold)
    if thresholds:
        smallest = field.add("Min")
        field.setNumbers(smallest, "FieldsList", thresholds)
        field.setAsBackgroundMesh(smallest)


def _root_arcs() -> list[int]:
    """Tags of the round curves of the model: the notch roots (OCC disks are ellipses)."""
    return [tag for _, tag in gmsh.model.getEntities(1)
            if gmsh.model.getType(1, tag) in ("Circle", "Ellipse")]


class _Box(NamedTuple):
    """Bounding box of a boundary entity, m, padded inwards (see ``_name_boundary``)."""

    xmin: float
    ymin: float
    zmin: float
    xmax: float
    ymax: float
    zmax: float


def _name_boundary(dim: int, tol: float, rules: dict[str, Callable[[_Box], bool]]) -> None:
    """Physical groups of the boundary entities (curves in 2-D, surfaces in 3-D): each goes
    to the first group whose rule accepts its bounding box, padded inwards by ``tol`` (OCC
    pads by ~1e-7 m)."""
    groups: dict[str, list[int]] = {name: [] for name in rules}
    pad = np.array([tol, tol, tol, -tol, -tol, -tol])
    for _, tag in gmsh.model.getEntities(dim - 1):
        box = _Box(*(np.array(gmsh.model.getBoundingBox(dim - 1, tag)) + pad))
        for name, rule in rules.items():
            if rule(box):
                groups[name].append(tag)
                break
    for name, tags in groups.items():
        gmsh.model.addPhysicalGroup(dim - 1, tags, name=name)


def double_edge_notched_bar(
    width: float, length: float, notch_depth: float, notch_radius: float,
    size_root: float, size_far: float, notch_angle: float = 0.0,
) -> None:
    """Plane bar [0, width] × [0, length] (m) with two notches at mid-length.

    Each notch is ``notch_depth`` deep from its edge, with a root of ``notch_radius`` and an
    included flank angle ``notch_angle`` (degrees; 0 is a U notch). Physical groups: curves
    "bottom", "top"; surface "bar". The element size grows from ``size_root`` within one root
    diameter of the root centres to ``size_far`` a bar width away.
    """
    occ = gmsh.model.occ
    bar = occ.addRectangle(0.0, 0.0, 0.0, width, length)
    y0 = 0.5 * length
    cutters = []
    for edge, inward in (((0.0, y0), (1.0, 0.0)), ((width, y0), (-1.0, 0.0))):
        cutters += _notch(edge, inward, notch_depth, notch_radius, notch_angle)
    occ.cut([(2, bar)], cutters)
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [s[1] for s in gmsh.model.getEntities(2)], name="bar")
    _name_boundary(2, 1e-3 * min(width, length), {
        "bottom": lambda b: b.ymax < 0.0, "top": lambda b: b.ymin > length})
    _refine([("CurvesList", _root_arcs(), size_root, notch_radius, width)], size_far)


def beam(
    length: float, thickness: float, size_fine: float, size_far: float,
    surface_depth: float = 0.0, refine_points: tuple[tuple[float, float], ...] = (),
    refine_radius: float = 0.0, notch_depth: float = 0.0, notch_radius: float = 0.0,
    notch_angle: float = 0.0,
) -> None:
    """Plane beam [−length/2, length/2] × [0, thickness] (m), optionally notched at the middle
    of its lower (tensile) face y = 0.

    The element size is ``size_fine`` within ``surface_depth`` of the lower face (bending
    bands start there), within ``refine_radius`` of each of ``refine_points`` (roller
    contacts) and within one radius of the notch root, growing to ``size_far`` over a
    thickness.
    Physical groups: curves "bottom", "top", "left", "right", "notch"; surface "beam". The
    end faces have a node at mid-height.
    """
    occ = gmsh.model.occ
    half = 0.5 * length
    # the end faces have a vertex at mid-height: a node there can pin the beam without
    # holding the face's rotation
    outline = [(-half, 0.0), (half, 0.0), (half, 0.5 * thickness), (half, thickness),
               (-half, thickness), (-half, 0.5 * thickness)]
    corners = [occ.addPoint(x, y, 0.0) for x, y in outline]
    edges = [occ.addLine(corners[i], corners[(i + 1) % 6]) for i in range(6)]
    body = occ.addPlaneSurface([occ.addCurveLoop(edges)])
    if notch_depth > 0.0:
        occ.cut([(2, body)], _notch((0.0, 0.0), (0.0, 1.0), notch_depth, notch_radius,
                                    notch_angle))
    points = [occ.addPoint(x, y, 0.0) for x, y in refine_points]
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [s[1] for s in gmsh.model.getEntities(2)], name="beam")
    _name_boundary(2, 1e-3 * thickness, {
        "bottom": lambda b: b.ymax < 0.0, "top": lambda b: b.ymin > thickness,
        "left": lambda b: b.xmax < -half, "right": lambda b: b.xmin > half,
        "notch": lambda b: True,
    })
    spread = thickness
    targets = [("CurvesList", _root_arcs(), size_fine, notch_radius, spread)]
    if surface_depth > 0.0:
        bottom = gmsh.model.getEntitiesForPhysicalName("bottom")
        targets.append(("CurvesList", [t for _, t in bottom], size_fine, surface_depth, spread))
    if points:
        targets.append(("PointsList", points, size_fine, refine_radius, spread))
    _refine(targets if notch_depth > 0.0 else targets[1:], size_far)


def indented_block(
    width: float, height: float, size_contact: float, size_far: float, refine_radius: float,
) -> None:
    """Plane block [−width/2, width/2] × [0, height] (m), refined around the top centre (0,
    height) where an indenter presses: ``size_contact`` within ``refine_radius``, growing to
    ``size_far`` a block height away. Physical groups: curves "bottom", "top", "sides";
    surface "block"."""
    occ = gmsh.model.occ
    block = occ.addRectangle(-0.5 * width, 0.0, 0.0, width, height)
    apex = occ.addPoint(0.0, height, 0.0)
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [block], name="block")
    _name_boundary(2, 1e-3 * min(width, height), {
        "bottom": lambda b: b.ymax < 0.0, "top": lambda b: b.ymin > height,
        "sides": lambda b: True})
    _refine([("PointsList", [apex], size_contact, refine_radius, height)], size_far)


def indented_quarter_block(
    width: float, height: float, size_contact: float, size_far: float, refine_radius: float,
) -> None:
    """A quarter of a block indented by a sphere at the top centre: [0, width/2] × [0, height]
    × [0, width/2] (m), y up, the indenter's axis the edge x = z = 0. ``size_contact`` within
    ``refine_radius`` of (0, height, 0), growing to ``size_far`` a block height away.
    Physical groups: surfaces "bottom", "top", "symmetry_x" (x = 0), "symmetry_z" (z = 0),
    "sides"; volume "block"."""
    occ = gmsh.model.occ
    half = 0.5 * width
    block = occ.addBox(0.0, 0.0, 0.0, half, height, half)
    apex = occ.addPoint(0.0, height, 0.0)
    occ.synchronize()
    gmsh.model.addPhysicalGroup(3, [block], name="block")
    _name_boundary(3, 1e-3 * min(width, height), {
        "bottom": lambda b: b.ymax < 0.0, "top": lambda b: b.ymin > height,
        "symmetry_x": lambda b: b.xmax < 0.0, "symmetry_z": lambda b: b.zmax < 0.0,
        "sides": lambda b: True})
    _refine([("PointsList", [apex], size_contact, refine_radius, height)], size_far)
