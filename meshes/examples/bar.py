"""The example user mesh: a plane-strain bar with a central hole, for ``bar.toml``.

    python meshes/examples/bar.py                 # writes bar.msh and bar.inp next to this file
    python meshes/examples/bar.py --size 0.5e-3 --out my_bar.msh

The bar [0, W] × [0, H] (m) has a hole of radius R at its centre; the element size is
``--size`` near the hole and twice that far from it. Physical groups name what a case puts
conditions on: the curves "bottom", "top", "left", "right" and "hole", and the surface "bar"
(gmsh then writes only these elements). This is the pattern for your own meshes: draw, name
the boundary curves (surfaces in 3-D) you load or hold, name the body, mesh.

``--inp`` also writes the mesh as an Abaqus input file through meshio, with the boundary
groups as node sets (``*NSET``), the way Abaqus meshes name boundaries: ``bar_inp.toml``
runs it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gmsh
import numpy as np

HERE = Path(__file__).resolve().parent


def build(width: float, height: float, radius: float, size: float) -> None:
    """The geometry, its physical groups and the size field in the current gmsh model."""
    occ = gmsh.model.occ
    plate = occ.addRectangle(0.0, 0.0, 0.0, width, height)
    hole = occ.addDisk(0.5 * width, 0.5 * height, 0.0, radius, radius)
    occ.cut([(2, plate)], [(2, hole)])
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [t for _, t in gmsh.model.getEntities(2)], name="bar")
    tol = 1e-3 * width  # OCC pads bounding boxes by ~1e-7 m
    sides: dict[str, list[int]] = {"bottom": [], "top": [], "left": [], "right": [], "hole": []}
    for _, tag in gmsh.model.getEntities(1):
        x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(1, tag)
        name = ("bottom" if y1 < tol else "top" if y0 > height - tol else
                "left" if x1 < tol else "right" if x0 > width - tol else "hole")
        sides[name].append(tag)
    for name, tags in sides.items():
        gmsh.model.addPhysicalGroup(1, tags, name=name)
    # size: `size` within a radius of the hole, growing to 2·size a bar width away
    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "CurvesList", sides["hole"])
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", size)
    field.setNumber(threshold, "SizeMax", 2.0 * size)
    field.setNumber(threshold, "DistMin", radius)
    field.setNumber(threshold, "DistMax", radius + width)
    field.setAsBackgroundMesh(threshold)
    for option in ("Mesh.MeshSizeFromPoints", "Mesh.MeshSizeFromCurvature",
                   "Mesh.MeshSizeExtendFromBoundary"):
        gmsh.option.setNumber(option, 0)


def write_inp(msh: Path, inp: Path) -> None:
    """``msh`` as an Abaqus file: its triangles, and each boundary group as a node set."""
    import meshio

    m = meshio.read(msh)
    names = {int(tag): name for name, (tag, dim) in m.field_data.items() if dim == 1}
    point_sets = {}
    for block, tags in zip(m.cells, m.cell_data["gmsh:physical"], strict=True):
        if block.type == "line":
            for tag in np.unique(tags):
                nodes = block.data[tags == tag].ravel()
                point_sets[names[int(tag)]] = np.union1d(point_sets.get(names[int(tag)], []),
                                                         nodes).astype(int)
    triangles = np.concatenate([b.data for b in m.cells if b.type == "triangle"])
    meshio.write(inp, meshio.Mesh(m.points, [("triangle", triangles)], point_sets=point_sets),
                 file_format="abaqus")
    # meshio names triangles R3D3 (rigid); CPE3 is Abaqus's plane-strain triangle
    inp.write_text(inp.read_text().replace("TYPE=R3D3", "TYPE=CPE3"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=float, default=10e-3, help="m")
    parser.add_argument("--height", type=float, default=20e-3, help="m")
    parser.add_argument("--radius", type=float, default=2e-3, help="hole radius, m")
    parser.add_argument("--size", type=float, default=1e-3, help="element size at the hole, m")
    parser.add_argument("--out", type=Path, default=HERE / "bar.msh")
    parser.add_argument("--inp", action="store_true",
                        help="also write the mesh as an Abaqus .inp next to --out")
    args = parser.parse_args()
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("bar")
        build(args.width, args.height, args.radius, args.size)
        gmsh.model.mesh.generate(2)
        gmsh.write(str(args.out))
    finally:
        gmsh.finalize()
    print(f"wrote {args.out}")
    if args.inp:
        write_inp(args.out, args.out.with_suffix(".inp"))
        print(f"wrote {args.out.with_suffix('.inp')}")


if __name__ == "__main__":
    main()
