"""Specimens: geometry, mesh, boundary conditions and the loads they report.

Each module defines a ``Specimen`` subclass; ``SPECIMENS`` maps case-file names to them.
"""

from stz_fem.specimens.base import Setup, Specimen
from stz_fem.specimens.bending import PureBending, RollerBending
from stz_fem.specimens.block import HomogeneousBlock
from stz_fem.specimens.indentation import Indentation
from stz_fem.specimens.mesh_file import MeshFile
from stz_fem.specimens.notched_tension import NotchedTension
from stz_fem.specimens.periodic_cell import PeriodicCell
from stz_fem.specimens.shear_strip import ShearStrip
from stz_fem.specimens.uniaxial_bar import UniaxialBar

SPECIMENS: dict[str, type[Specimen]] = {
    "shear_strip": ShearStrip,
    "block": HomogeneousBlock,
    "indentation": Indentation,
    "mesh_file": MeshFile,
    "notched_tension": NotchedTension,
    "periodic_cell": PeriodicCell,
    "roller_bending": RollerBending,
    "pure_bending": PureBending,
    "uniaxial_bar": UniaxialBar,
}

__all__ = [
    "SPECIMENS", "HomogeneousBlock", "Indentation", "MeshFile", "NotchedTension", "PeriodicCell",
    "PureBending", "RollerBending", "Setup", "ShearStrip", "Specimen", "UniaxialBar",
]
