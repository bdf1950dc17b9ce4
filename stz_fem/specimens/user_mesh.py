"""A user's mesh file as a distributed DOLFINx mesh with named boundary facet groups.

Rank 0 reads the file: gmsh ``.msh`` through the gmsh API (physical groups of the facet
dimension name the boundaries; unnamed ones go by their number), anything else through meshio
(cell sets of facet elements, integer facet cell data such as ``gmsh:physical`` or
``medit:ref``, and node sets, which name the boundary facets whose vertices all lie in them:
Abaqus ``*NSET``). It checks what it can on the raw arrays and turns every problem into the
same ``InputError`` on all ranks; DOLFINx then distributes cells and facet groups, and a
collective check rejects inverted and degenerate cells.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import basix
import numpy as np
import ufl
from dolfinx import default_real_type, fem
from dolfinx import mesh as dmesh
from dolfinx.graph import adjacencylist
from dolfinx.io import gmsh as dolfinx_gmsh
from dolfinx.io.utils import distribute_entity_data
from mpi4py import MPI

from stz_fem.errors import InputError

CELL_NAMES = {2: "triangle", 3: "quadrilateral", 4: "tetrahedron", 5: "hexahedron",
              9: "triangle6", 10: "quadrilateral9", 11: "tetrahedron10", 12: "hexahedron27"}
"""The gmsh element types a mesh's cells may have (first- and second-order geometry)."""

FACET_TYPES = {1, 2, 3, 8, 9, 10}
"""gmsh element types of facets: lines, triangles, quadrilaterals (first and second order)."""

LOCAL_FACETS = {
    2: ((0, 1), (1, 2), (2, 0)),
    3: ((0, 1), (1, 2), (2, 3), (3, 0)),
    4: ((0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)),
    5: ((0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)),
}
"""Vertices of the facets of first-order cells, in gmsh (= VTK) node order."""

MESHIO_TYPES = {"triangle": 2, "quad": 3, "tetra": 4, "hexahedron": 5, "triangle6": 9,
                "quad9": 10, "tetra10": 11, "hexahedron27": 12, "line": 1, "line3": 8}
"""meshio cell types that cells and facets may have, as gmsh element types."""

MESHIO_FACET_DATA = ("gmsh:physical", "medit:ref", "CellEntityIds", "tags")
"""Integer cell data that number facet groups when a file has no facet cell sets."""


@dataclass
class RawMesh:
    """A mesh file's contents on rank 0 (node rows of ``points`` are 0-based)."""

    points: np.ndarray
    """(n, 3) node coordinates, m."""
    cell_type: int
    """gmsh element type of every cell."""
    cells: np.ndarray
    """(m, nodes) in gmsh node order."""
    facets: dict[str, np.ndarray]
    """Group name → (k, facet nodes) in gmsh node order."""

    @property
    def dim(self) -> int:
        return 3 if self.cell_type in (4, 5, 11, 12) else 2

    def extent(self) -> np.ndarray:
        """Bounding box size of the nodes of the cells (m, per axis up to ``dim``)."""
        used = self.points[np.unique(self.cells)][:, : self.dim]
        return used.max(axis=0) - used.min(axis=0)


@dataclass
class UserMesh:
    mesh: dmesh.Mesh
    facets: dict[str, np.ndarray]
    """Group name → local facet indices."""
    extent: np.ndarray
    """Bounding box size, m, per axis."""


def read_raw(path: Path) -> RawMesh:
    """The mesh in ``path`` (one process); InputError for a missing or unreadable file, no
    cells, mixed or unsupported cell types, a 2-D mesh off a plane z = const, or no boundary
    groups."""
    if not path.is_file():
        raise InputError(f"mesh.file = {str(path)!r}: no such file")
    raw = _read_gmsh(path) if path.suffix.lower() == ".msh" else _read_meshio(path)
    if raw.dim == 2 and np.ptp(raw.points[:, 2]) > 1e-9 * max(np.ptp(raw.points), 1e-300):
        raise InputError(f"{path}: a 2-D mesh must lie in a plane z = const (its z spans "
                         f"{np.ptp(raw.points[:, 2]):.3g} m)")
    if not raw.facets:
        source = ("physical groups of curves (2-D) or surfaces (3-D)"
                  if path.suffix.lower() == ".msh" else "facet cell sets, node sets or "
                  "integer facet cell data (gmsh:physical, medit:ref)")
        raise InputError(f"{path}: no named boundary groups to put conditions on; add {source}")
    return raw


def _one_line(err: Exception) -> str:
    return " ".join(f"{type(err).__name__}: {err}".split())


def _cells_of_one_type(path: Path, types: list[int], label: Callable[[int], str]) -> int:
    """The one supported cell type among ``types``, or InputError."""
    if len(set(types)) > 1:
        raise InputError(f"{path}: mixed cell types ({', '.join(sorted(map(label, set(types))))})"
                         "; stz-fem needs one type per mesh")
    if types[0] not in CELL_NAMES:
        raise InputError(f"{path}: cells of type {label(types[0])} are not supported; allowed: "
                         f"{', '.join(CELL_NAMES.values())}")
    return types[0]


def _read_gmsh(path: Path) -> RawMesh:
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        try:
            gmsh.merge(str(path))
        except Exception as err:  # gmsh raises plain Exceptions
            raise InputError(f"{path}: gmsh cannot read it ({_one_line(err)})") from None
        model = gmsh.model
        tags, coords, _ = model.mesh.getNodes()
        if tags.size == 0:
            raise InputError(f"{path}: no mesh in it")
        row = np.zeros(int(tags.max()) + 1, dtype=np.int64)
        row[tags.astype(np.int64)] = np.arange(tags.size)
        tdim = max((d for d in (1, 2, 3) if len(model.mesh.getElements(d)[0])), default=0)
        if tdim < 2:
            raise InputError(f"{path}: no 2-D or 3-D cells (gmsh saves only the elements of "
                             "physical groups: add a physical surface or volume, or set "
                             "Mesh.SaveAll)")
        types, _, nodes = model.mesh.getElements(tdim)
        cell_type = _cells_of_one_type(
            path, [int(t) for t in types], lambda t: model.mesh.getElementProperties(t)[0])
        width = model.mesh.getElementProperties(cell_type)[3]
        cells = row[nodes[0].astype(np.int64)].reshape(-1, width)

        facets: dict[str, list[np.ndarray]] = {}
        for dim, tag in model.getPhysicalGroups(tdim - 1):
            name = model.getPhysicalName(dim, tag) or str(tag)
            for entity in model.getEntitiesForPhysicalGroup(dim, tag):
                for etype, _, enodes in zip(*model.mesh.getElements(dim, entity), strict=True):
                    width = model.mesh.getElementProperties(etype)[3]
                    facets.setdefault(name, []).append(
                        row[enodes.astype(np.int64)].reshape(-1, width))
        return RawMesh(coords.reshape(-1, 3), cell_type, cells,
                       {name: np.concatenate(parts) for name, parts in facets.items()})
    finally:
        gmsh.finalize()


ABAQUS_PLANE_STRAIN = {"CPE3": "triangle", "CPE3H": "triangle", "CPE4": "quad",
                       "CPE4H": "quad", "CPE4R": "quad", "CPE4RH": "quad", "CPE6H": "triangle6"}
"""Abaqus plane-strain elements meshio 5.3 does not know (it knows CPE6 and CPS3)."""


def _read_meshio(path: Path) -> RawMesh:
    import meshio
    from meshio.abaqus._abaqus import abaqus_to_meshio_type

    for name, kind in ABAQUS_PLANE_STRAIN.items():
        abaqus_to_meshio_type.setdefault(name, kind)
    try:
        m = meshio.read(path)
    except Exception as err:  # meshio's readers raise whatever their parsers do
        raise InputError(f"{path}: meshio cannot read it ({_one_line(err)})") from None
    dims = [block.dim for block in m.cells]
    if not dims or max(dims) < 2:
        raise InputError(f"{path}: no 2-D or 3-D cells")
    tdim = max(dims)
    top = [k for k, d in enumerate(dims) if d == tdim]
    names = {v: k for k, v in MESHIO_TYPES.items()}
    kinds = [MESHIO_TYPES.get(m.cells[k].type, -1) for k in top]
    label = {MESHIO_TYPES.get(m.cells[k].type, -1): m.cells[k].type for k in top}
    cell_type = _cells_of_one_type(path, kinds, lambda t: label.get(t, names.get(t, str(t))))
    order = _meshio_to_gmsh_order
    cells = np.concatenate([order(m.cells[k].type, m.cells[k].data) for k in top])

    facet_blocks = [k for k, d in enumerate(dims)
                    if d == tdim - 1 and MESHIO_TYPES.get(m.cells[k].type) in FACET_TYPES]
    facets: dict[str, np.ndarray] = {}
    for name, per_block in m.cell_sets.items():
        parts = [order(m.cells[k].type, m.cells[k].data[np.asarray(per_block[k], dtype=int)])
                 for k in facet_blocks if per_block[k] is not None and len(per_block[k])]
        if parts:
            facets[name] = np.concatenate(parts)
    if not facets:
        facets = _numbered_facet_groups(m, facet_blocks, tdim)
    if m.point_sets:
        boundary = _boundary_facets(cell_type, cells)
        for name, nodes in m.point_sets.items():
            if name not in facets and boundary is not None:
                inside = np.zeros(len(m.points), dtype=bool)
                inside[np.asarray(nodes, dtype=int)] = True
                chosen = boundary[inside[boundary].all(axis=1)]
                if len(chosen):
                    facets[name] = chosen
    points = np.zeros((len(m.points), 3))
    points[:, : m.points.shape[1]] = m.points
    return RawMesh(points, cell_type, cells, facets)


def _meshio_to_gmsh_order(cell_type: str, data: np.ndarray) -> np.ndarray:
    from meshio.gmsh.common import _meshio_to_gmsh_order as order

    return np.asarray(order(cell_type, np.asarray(data, dtype=np.int64)), dtype=np.int64)


def _numbered_facet_groups(m, facet_blocks: list[int], tdim: int) -> dict[str, np.ndarray]:
    """Facet groups from the first of ``MESHIO_FACET_DATA`` the facet blocks carry, named by
    the gmsh physical names in ``field_data`` where there are any, else by number."""
    key = next((k for k in MESHIO_FACET_DATA if k in m.cell_data), None)
    if key is None or not facet_blocks:
        return {}
    named = {int(v[0]): name for name, v in m.field_data.items()
             if len(v) >= 2 and int(v[1]) == tdim - 1}
    groups: dict[str, list[np.ndarray]] = {}
    for k in facet_blocks:
        values = np.asarray(m.cell_data[key][k]).astype(int)
        data = _meshio_to_gmsh_order(m.cells[k].type, m.cells[k].data)
        for v in np.unique(values):
            groups.setdefault(named.get(int(v), str(v)), []).append(data[values == v])
    return {name: np.concatenate(parts) for name, parts in groups.items()}


def _boundary_facets(cell_type: int, cells: np.ndarray) -> np.ndarray | None:
    """Vertex rows of the facets that only one cell has (first-order cells; None else)."""
    if cell_type not in LOCAL_FACETS:
        return None
    local = LOCAL_FACETS[cell_type]
    all_facets = np.concatenate([cells[:, list(f)] for f in local])
    _, first, counts = np.unique(np.sort(all_facets, axis=1), axis=0, return_index=True,
                                 return_counts=True)
    return all_facets[np.sort(first[counts == 1])]


def distribute(path: Path, comm: MPI.Comm,
               check: Callable[[RawMesh], None] = lambda raw: None) -> UserMesh:
    """Read ``path`` on rank 0, run ``check`` on what it holds, and build the distributed
    mesh and its facet groups (collective). Every rank raises the same InputError."""
    raw, header, error = None, None, None
    if comm.rank == 0:
        try:
            raw = read_raw(path)
            check(raw)
            header = (raw.cell_type, raw.dim, sorted(raw.facets),
                      {name: f.shape[1] for name, f in raw.facets.items()}, raw.extent())
        except InputError as err:
            error = str(err)
    error, header = comm.bcast((error, header), root=0)
    if error is not None:
        raise InputError(error)
    cell_type, dim, names, widths, extent = header

    domain = dolfinx_gmsh.ufl_mesh(cell_type, dim, dtype=default_real_type)
    width = domain.ufl_coordinate_element().basix_element.dim
    if raw is not None:
        cells = raw.cells[:, dolfinx_gmsh.cell_perm_array(
            dmesh.to_type(str(domain.ufl_cell())), width)]
        x = raw.points[:, :dim]
    else:
        cells, x = np.empty((0, width), dtype=np.int64), np.empty((0, dim))
    msh = dmesh.create_mesh(comm, cells, domain, x)
    fdim = dim - 1
    msh.topology.create_entities(fdim)
    msh.topology.create_connectivity(fdim, dim)
    n_owned = msh.topology.index_map(fdim).size_local
    facets, lost = {}, []
    for name in names:
        given = raw.facets[name] if raw is not None else np.empty((0, widths[name]), np.int64)
        entities, values = distribute_entity_data(
            msh, fdim, given.astype(np.int64), np.ones(len(given), dtype=np.int32))
        tags = dmesh.meshtags_from_entities(msh, fdim, adjacencylist(entities),
                                            values.astype(np.int32))
        facets[name] = tags.indices[tags.values == 1]
        expected = len(np.unique(np.sort(given, axis=1), axis=0)) if len(given) else 0
        found = comm.allreduce(int(np.sum(facets[name] < n_owned)), op=MPI.SUM)
        if comm.bcast(expected, root=0) != found:
            lost.append(name)
    if lost:
        raise InputError(f"{path}: some facets of the group(s) {', '.join(lost)} are not "
                         "facets of the mesh's cells (facet elements that are not cell faces)")
    check_cells(msh, path)
    return UserMesh(msh, facets, np.asarray(extent))


def check_cells(msh: dmesh.Mesh, path: Path) -> None:
    """InputError (on every rank) if a cell is degenerate (a Jacobian determinant at a vertex
    near zero against the cell's size) or inverted (determinants of both signs within it, or
    of the opposite sign to most cells). Collective."""
    tdim = msh.topology.dim
    n = msh.topology.index_map(tdim).size_local
    cells = np.arange(n, dtype=np.int32)
    vertices = basix.geometry(msh.basix_cell())
    det = fem.Expression(ufl.JacobianDeterminant(msh), vertices).eval(msh, cells)
    det = det.reshape(n, -1)
    scale = msh.h(tdim, cells) ** tdim if n else np.empty(0)
    degenerate = (np.abs(det) <= 1e-10 * scale[:, None]).any(axis=1)
    positive = ~degenerate & (det > 0).all(axis=1)
    negative = ~degenerate & (det < 0).all(axis=1)
    n_positive, n_negative = (msh.comm.allreduce(int(c.sum()), op=MPI.SUM)
                              for c in (positive, negative))
    # a cell is inverted if its determinant changes sign within it, or if it has the sign
    # of the fewer cells
    flipped = negative if n_negative < n_positive else positive
    inverted = ~degenerate & ~positive & ~negative | (flipped & bool(n_positive and n_negative))
    problems = []
    for bad, what in ((degenerate, "degenerate (zero volume)"),
                      (inverted, "inverted (Jacobian of the wrong sign)")):
        count = msh.comm.allreduce(int(bad.sum()), op=MPI.SUM)
        if count:
            local = dmesh.compute_midpoints(msh, tdim, cells[bad][:1])[:, :tdim]
            where = next(p for p in msh.comm.allgather(local) if len(p))
            problems.append(f"{count} {what} cell(s), e.g. at "
                            f"({', '.join(f'{c:.4g}' for c in where[0])}) m")
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))
