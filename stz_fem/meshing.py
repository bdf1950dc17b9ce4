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
from typing import Any

import gmsh
from dolfinx.io import gmsh as dolfinx_gmsh
from mpi4py import MPI


def cache_dir() -> Path:
    return Path(os.environ.get("STZ_FEM_MESH_CACHE", Path.cwd() / "meshes" / "cache"))


def cached_mesh(
    name: str, builder: Callable[..., None], params: dict[str, Any], comm: MPI.Comm, gdim: int,
) -> dolfinx_gmsh.MeshData:
    """The mesh ``builder(**params)`` makes, from the cache when it is there already."""
    key = hashlib.sha1(json.dumps({"name": name, **params}, sort_keys=True).encode()).hexdigest()
    path = cache_dir() / f"{name}-{key[:12]}.msh"
    if comm.rank == 0 and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        gmsh.initialize(interruptible=False)
        try:
            gmsh.option.setNumber("General.Terminal", 0)
            gmsh.model.add(name)
            builder(**params)
            gmsh.model.mesh.generate(gdim)
            tmp = path.with_suffix(f".{os.getpid()}.msh")
            gmsh.write(str(tmp))
            tmp.replace(path)
        finally:
            gmsh.finalize()
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


def double_edge_notched_bar(
    width: float, length: float, notch_depth: float, notch_radius: float,
    size_root: float, size_far: float,
) -> None:
    """Plane bar [0, width] × [0, length] (m) with two U notches at mid-length.

    Each notch is a slot of width 2·radius ending in a half circle, ``notch_depth`` deep from
    its edge. Physical groups: curves "bottom", "top"; surface "bar". The element size grows
    from ``size_root`` within one radius of the notch roots to ``size_far`` a bar width away.
    """
    occ = gmsh.model.occ
    bar = occ.addRectangle(0.0, 0.0, 0.0, width, length)
    y0, r = 0.5 * length, notch_radius
    cutters, centres = [], []
    for edge, inward in ((0.0, 1.0), (width, -1.0)):
        root = edge + inward * (notch_depth - r)
        centres.append(root)
        # the slot runs from just outside the edge to the centre of the rounded root
        x_slot = edge - r if inward > 0 else root
        cutters.append((2, occ.addRectangle(x_slot, y0 - r, 0.0, abs(root - edge) + r, 2 * r)))
        cutters.append((2, occ.addDisk(root, y0, 0.0, r, r)))
    occ.cut([(2, bar)], cutters)
    occ.synchronize()

    surfaces = gmsh.model.getEntities(2)
    gmsh.model.addPhysicalGroup(2, [s[1] for s in surfaces], name="bar")
    tol = 1e-3 * min(notch_radius, width)  # OCC bounding boxes are padded by ~1e-7 m
    bottom, top, roots = [], [], []
    for _, tag in gmsh.model.getEntities(1):
        xmin, ymin, _, xmax, ymax, _ = gmsh.model.getBoundingBox(1, tag)
        if ymax < tol:
            bottom.append(tag)
        elif ymin > length - tol:
            top.append(tag)
        elif ymax - ymin > tol and any(
            xmin > c - r - tol and xmax < c + r + tol for c in centres
        ) and ymin > y0 - r - tol and ymax < y0 + r + tol:
            roots.append(tag)  # arcs of a notch root (the disk seam may split one in two)
    gmsh.model.addPhysicalGroup(1, bottom, name="bottom")
    gmsh.model.addPhysicalGroup(1, top, name="top")

    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "CurvesList", roots)
    field.setNumber(distance, "Sampling", 100)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", size_root)
    field.setNumber(threshold, "SizeMax", size_far)
    field.setNumber(threshold, "DistMin", notch_radius)
    field.setNumber(threshold, "DistMax", width)
    field.setAsBackgroundMesh(threshold)
    for option in ("Mesh.MeshSizeFromPoints", "Mesh.MeshSizeFromCurvature",
                   "Mesh.MeshSizeExtendFromBoundary"):
        gmsh.option.setNumber(option, 0)


def indented_block(
    width: float, height: float, size_contact: float, size_far: float, refine_radius: float,
) -> None:
    """Plane block [−width/2, width/2] × [0, height] (m), refined around the top centre (0,
    height) where an indenter presses: ``size_contact`` within ``refine_radius``, growing to
    ``size_far`` a block height away. Physical groups: curves "bottom", "top", "sides";
    surface "block"."""
    occ = gmsh.model.occ
    block = occ.addRectangle(-0.5 * width, 0.0, 0.0, width, height)
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [block], name="block")
    tol = 1e-3 * min(width, height)  # OCC bounding boxes are padded by ~1e-7 m
    groups: dict[str, list[int]] = {"bottom": [], "top": [], "sides": []}
    for _, tag in gmsh.model.getEntities(1):
        _, ymin, _, _, ymax, _ = gmsh.model.getBoundingBox(1, tag)
        name = "bottom" if ymax < tol else "top" if ymin > height - tol else "sides"
        groups[name].append(tag)
    for name, tags in groups.items():
        gmsh.model.addPhysicalGroup(1, tags, name=name)
    apex = occ.addPoint(0.0, height, 0.0)
    occ.synchronize()
    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "PointsList", [apex])
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", size_contact)
    field.setNumber(threshold, "SizeMax", size_far)
    field.setNumber(threshold, "DistMin", refine_radius)
    field.setNumber(threshold, "DistMax", refine_radius + height)
    field.setAsBackgroundMesh(threshold)
    for option in ("Mesh.MeshSizeFromPoints", "Mesh.MeshSizeFromCurvature",
                   "Mesh.MeshSizeExtendFromBoundary"):
        gmsh.option.setNumber(option, 0)
