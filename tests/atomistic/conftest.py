"""Shared helpers: the quick-mode LAMMPS fixtures and synthetic atomic configurations."""

import json
from pathlib import Path

import numpy as np
import pytest

from stz_fem.atomistic.box import Box

FIXTURES = Path(__file__).parents[1] / "data" / "lammps_quick"


def jittered_lattice(box: Box, m: int, jitter: float, rng: np.random.Generator) -> np.ndarray:
    """m³ points on a simple cubic lattice in fractional coordinates, displaced at random by
    ``jitter`` (fraction of the lattice spacing), in cartesian coordinates."""
    grid = np.stack(np.meshgrid(*[np.arange(m)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    fractional = (grid + 0.5 + rng.uniform(-jitter, jitter, grid.shape)) / m
    return box.cartesian(fractional)


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads((FIXTURES / "manifest.json").read_text())


@pytest.fixture(scope="session")
def first_shear(manifest: dict) -> dict:
    """Record (conditions and LAMMPS variables) of the first quick-mode shear run."""
    return next(run for run in manifest["runs"] if run["run"].startswith("shear_"))
