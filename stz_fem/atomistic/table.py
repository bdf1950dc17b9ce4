"""Named numeric columns read from one block of a LAMMPS text output file."""

from dataclasses import dataclass

import numpy as np

from stz_fem.errors import InputError


@dataclass(frozen=True)
class Table:
    """Columns of equal length keyed by their LAMMPS names (units as written by LAMMPS).

    ``source`` names the file (and block) so that a missing column reports where it looked.
    """

    source: str
    columns: dict[str, np.ndarray]

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.columns[name]
        except KeyError:
            raise InputError(
                f"{self.source}: no column {name!r}; available: {', '.join(self.columns)}"
            ) from None


def parse_rows(source: str, names: list[str], rows: list[str]) -> Table:
    """A ``Table`` from whitespace-separated numeric text rows, one value per name."""
    try:
        data = np.array([row.split() for row in rows], dtype=float).reshape(len(rows), len(names))
    except ValueError:
        raise InputError(
            f"{source}: rows are not {len(names)} numbers each (columns: {', '.join(names)})"
        ) from None
    return Table(source, {name: data[:, k] for k, name in enumerate(names)})
