"""LAMMPS unit styles and their sizes in SI (docs/model.md works in SI units, temperatures in K).

Each factor is the size of the style's unit in SI: multiply a LAMMPS value by it to get SI.
``lj`` is reduced: all factors are 1 and ``reduced`` is True, because σ, ε and τ are whatever
the simulation meant, so lj values stay dimensionless and cannot be converted here.
"""

from dataclasses import dataclass

from stz_fem.errors import InputError

EV_J = 1.602176634e-19
KCAL_PER_MOL_J = 4184.0 / 6.02214076e23


@dataclass(frozen=True)
class UnitStyle:
    """Sizes of one LAMMPS unit style's units: length in m, time in s, energy in J and in eV,
    pressure (and stress) in Pa, temperature in K."""

    name: str
    length_m: float
    time_s: float
    energy_J: float
    pressure_Pa: float
    temperature_K: float
    reduced: bool = False

    @property
    def energy_eV(self) -> float:
        """Size of the energy unit in eV."""
        return self.energy_J / EV_J


UNIT_STYLES: dict[str, UnitStyle] = {
    "metal": UnitStyle("metal", 1e-10, 1e-12, EV_J, 1e5, 1.0),
    "real": UnitStyle("real", 1e-10, 1e-15, KCAL_PER_MOL_J, 101325.0, 1.0),
    "si": UnitStyle("si", 1.0, 1.0, 1.0, 1.0, 1.0),
    "lj": UnitStyle("lj", 1.0, 1.0, 1.0, 1.0, 1.0, reduced=True),
}


def unit_style(name: str, source: str = "units") -> UnitStyle:
    """The ``UnitStyle`` for a LAMMPS ``units`` name; ``source`` names where it came from."""
    try:
        return UNIT_STYLES[name]
    except KeyError:
        raise InputError(
            f"{source}: unsupported LAMMPS units style {name!r}; "
            f"available: {', '.join(UNIT_STYLES)}"
        ) from None
