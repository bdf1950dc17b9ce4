"""The STZ-χ material law: parameters, rate terms, rate law and local update (no DOLFINx)."""

from stz_fem.material.material_files import from_mapping, load, save
from stz_fem.material.parameters import MaterialParameters
from stz_fem.material.presets import PRESETS
from stz_fem.material.stz import (
    Law,
    chi_rate,
    chi_source,
    effective_shear_stress,
    pack,
    plastic_rate,
)
from stz_fem.material.update import UpdateResult, integrate

__all__ = [
    "PRESETS", "Law", "MaterialParameters", "UpdateResult", "chi_rate", "chi_source",
    "effective_shear_stress",
    "from_mapping", "integrate", "load", "pack", "plastic_rate", "save",
]
