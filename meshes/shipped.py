"""Write the mesh of a shipped specimen geometry as a .msh file to open and edit in gmsh.

    python meshes/shipped.py notched_bar --out bar.msh \\
        --width 10e-3 --length 30e-3 --notch-depth 2e-3 --notch-radius 0.5e-3 \\
        --size-root 0.2e-3 --size-far 0.5e-3

The geometries are the builders of ``stz_fem.meshing`` that the specimens use; the options
are the builder's parameters (m; ``python meshes/shipped.py GEOMETRY --help`` lists them).
The file has the same physical groups as the specimen's mesh, so a case with
``specimen = "mesh_file"`` can load it by group name (docs/cases.md, "Your own mesh").
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from stz_fem import meshing

GEOMETRIES = {
    "notched_bar": (meshing.double_edge_notched_bar, 2),
    "beam": (meshing.beam, 2),
    "indented_block": (meshing.indented_block, 2),
    "indented_quarter_block": (meshing.indented_quarter_block, 3),
}
"""Geometry name → (builder, dimension)."""


def parse(argv: list[str]) -> tuple[str, dict, Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="geometry", required=True)
    for name, (builder, _) in GEOMETRIES.items():
        doc = inspect.getdoc(builder) or ""
        p = sub.add_parser(name, help=doc.split("\n")[0], description=doc)
        p.add_argument("--out", type=Path, default=Path(f"{name}.msh"), help="the .msh to write")
        for param in inspect.signature(builder).parameters.values():
            option = "--" + param.name.replace("_", "-")
            if param.name == "refine_points":
                p.add_argument(option, type=float, nargs="+", default=(),
                               help="x1 y1 x2 y2 ... (m)")
            elif param.default is inspect.Parameter.empty:
                p.add_argument(option, type=float, required=True)
            else:
                p.add_argument(option, type=float, default=param.default,
                               help=f"default {param.default}")
    args = vars(parser.parse_args(argv))
    geometry, out = args.pop("geometry"), args.pop("out")
    if "refine_points" in args:
        flat = args["refine_points"]
        args["refine_points"] = tuple(zip(flat[::2], flat[1::2], strict=True))
    return geometry, args, out


def main(argv: list[str]) -> None:
    geometry, params, out = parse(argv)
    builder, dim = GEOMETRIES[geometry]
    meshing.write_msh(geometry, builder, params, dim, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
