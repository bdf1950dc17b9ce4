"""Measured stress–strain curves: read a CSV, scale to SI, keep the strain window."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from stz_fem.calibration.config import CurveSpec
from stz_fem.errors import InputError


@dataclass(frozen=True)
class DataCurve:
    """A curve to fit: strain (γ or ε₁₁), stress (Pa) and the spec it came from."""

    spec: CurveSpec
    strain: np.ndarray
    stress: np.ndarray
    energy: np.ndarray | None = None
    """Potential energy per atom (eV) at each point, when the spec names a column."""

    @property
    def peak(self) -> float:
        """Largest |stress| in the window, Pa: the scale of this curve's errors."""
        return float(np.max(np.abs(self.stress)))


def read_columns(spec: CurveSpec, keys: list[str]) -> np.ndarray:
    """The columns named by the spec's ``keys`` (e.g. ``strain_column``) of ``spec.path``
    (CSV with a header row), one array column per key, unscaled.

    Raises:
        InputError: missing column or non-numeric value.
    """
    columns = [getattr(spec, key) for key in keys]
    with open(spec.path, newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        for key, name in zip(keys, columns, strict=True):
            if name not in header:
                raise InputError(
                    f"{spec.where}.{key} = {name!r}: not a column of {spec.path.name}; "
                    f"available: {', '.join(header)}"
                )
        try:
            rows = [[float(r[name]) for name in columns] for r in reader]
        except (TypeError, ValueError):
            raise InputError(f"{spec.where}.path: {spec.path.name} has a non-numeric value in "
                             f"{', '.join(columns)}") from None
    return np.array(rows, dtype=float).reshape(-1, len(columns))


def window_rows(spec: CurveSpec, strain: np.ndarray) -> np.ndarray:
    """Indices of the rows inside ``spec.window``, in increasing strain.

    Raises:
        InputError: fewer than 3 points with positive strain in the window.
    """
    lo, hi = spec.window
    keep = np.flatnonzero((strain >= lo) & (strain <= hi))
    if keep.size < 3 or not np.any(strain[keep] > 0.0):
        raise InputError(
            f"{spec.where}.strain_window = {[lo, hi]}: fewer than 3 points with positive strain "
            f"of {spec.path.name} inside"
        )
    return keep[np.argsort(strain[keep], kind="stable")]


def read_curve(spec: CurveSpec) -> DataCurve:
    """Read the named columns of ``spec.path`` (CSV with a header row): strain, stress and,
    when the spec names it, the potential energy per atom.

    Raises:
        InputError: missing column, non-numeric value, or fewer than 3 points in the window.
    """
    keys = ["strain_column", "stress_column"] + (["energy_column"] if spec.energy_column else [])
    data = read_columns(spec, keys)
    strain = data[:, 0] * spec.strain_scale
    rows = window_rows(spec, strain)
    energy = data[rows, 2] if spec.energy_column else None
    return DataCurve(spec, strain[rows], data[rows, 1] * spec.stress_scale, energy)
