"""Specimens: geometry, mesh, boundary conditions and the loads they report.

Each module defines a ``Specimen`` subclass; ``SPECIMENS`` maps case-file names to them and
``load_case`` turns raw case data into a specimen holding its validated case.
"""

from typing import Any

from stz_fem.errors import InputError, validated
from stz_fem.specimens.base import Setup, Specimen
from stz_fem.specimens.bending import PureBending, RollerBending
from stz_fem.specimens.block import HomogeneousBlock
from stz_fem.specimens.indentation import Indentation
from stz_fem.specimens.mesh_file import MeshFile
from stz_fem.specimens.notched_tension import NotchedTension
from stz_fem.specimens.periodic_cell import PeriodicCell
from stz_fem.specimens.shear_strip import ShearStrip
from stz_fem.specimens.uniaxial_bar import UniaxialBar

SPECIMENS: dict[str, type[Specimen]] = {cls.name: cls for cls in (
    ShearStrip, HomogeneousBlock, Indentation, MeshFile, NotchedTension, PeriodicCell,
    RollerBending, PureBending, UniaxialBar)}


def load_case(data: dict[str, Any]) -> Specimen:
    """The specimen of raw case data (``cases.read_case``), its case validated against the
    specimen's model. Raises InputError with one line."""
    name = data.get("specimen") if isinstance(data, dict) else None
    if not isinstance(name, str) or name not in SPECIMENS:
        raise InputError(f"specimen = {name!r}: allowed: {', '.join(SPECIMENS)}")
    specimen_cls = SPECIMENS[name]
    return specimen_cls(validated(specimen_cls.case_model(), data))


__all__ = [
    "SPECIMENS", "HomogeneousBlock", "Indentation", "MeshFile", "NotchedTension", "PeriodicCell",
    "PureBending", "RollerBending", "Setup", "ShearStrip", "Specimen", "UniaxialBar", "load_case",
]
