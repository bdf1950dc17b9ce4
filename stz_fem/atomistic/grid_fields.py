"""Reader for gridded fields stored as NumPy ``.npz`` with cell-centre coordinates in metres.

Layout (as in the Kontolati et al. 2021 Cu50Zr50 data, tests/data/kontolati2021/README.md):
``x_m`` (nx,), ``y_m`` (ny,) cell centres in m; fields of shape (..., ny, nx) indexed [..., y, x]
(e.g. [frame, y, x]); 1-D arrays with one value per frame (e.g. ``nominal_shear_strain``).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stz_fem.errors import InputError

_COORDINATES = ("x_m", "y_m")


@dataclass(frozen=True)
class GridFields:
    """Coordinates ``x_m``, ``y_m`` (m), fields [..., y, x] and per-frame values by name."""

    source: str
    x_m: np.ndarray
    y_m: np.ndarray
    fields: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]

    @property
    def period_m(self) -> tuple[float, float]:
        """Periodic lengths (Lx, Ly) in m of the uniform cell-centred grid."""
        return (
            len(self.x_m) * (self.x_m[1] - self.x_m[0]),
            len(self.y_m) * (self.y_m[1] - self.y_m[0]),
        )

    def field(self, name: str) -> np.ndarray:
        try:
            return self.fields[name]
        except KeyError:
            raise InputError(
                f"{self.source}: no gridded field {name!r}; available: {', '.join(self.fields)}"
            ) from None


def read_grid_fields(path: str | Path) -> GridFields:
    """Fields and coordinates of an ``.npz`` grid file (arrays as stored, coordinates in m)."""
    path = Path(path)
    try:
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read gridded fields ({err})") from None
    missing = [name for name in _COORDINATES if name not in arrays]
    if missing:
        raise InputError(
            f"{path}: no coordinate array {', '.join(missing)}; available: {', '.join(arrays)}"
        )
    x, y = (arrays.pop(name) for name in _COORDINATES)
    fields = {n: a for n, a in arrays.items() if a.ndim >= 2 and a.shape[-2:] == (len(y), len(x))}
    frames = {n: a for n, a in arrays.items() if n not in fields and a.ndim == 1}
    counts = {a.shape[0] for a in fields.values() if a.ndim == 3}
    odd = [n for n in arrays if n not in fields and n not in frames]
    odd += [n for n, a in frames.items() if counts and len(a) not in counts]
    if odd or not fields:
        raise InputError(
            f"{path}: arrays {', '.join(odd) or '(none)'} match neither the grid "
            f"({len(y)}, {len(x)}) nor the frame count; fields found: {', '.join(fields) or 'none'}"
        )
    return GridFields(str(path), x, y, fields, frames)
