"""D²min: zero for affine maps (orthogonal and sheared periodic cells), local for a local
rearrangement, equal to a brute-force evaluation, and sensible on real LAMMPS output."""

import itertools

import numpy as np
import pytest

from stz_fem.atomistic.box import Box
from stz_fem.atomistic.d2min import d2min
from stz_fem.atomistic.lammps_dump import read_dump
from stz_fem.atomistic.neighbours import PeriodicNeighbours
from stz_fem.errors import InputError

from .conftest import FIXTURES, jittered_lattice

F = np.array([[1.02, 0.30, 0.01], [0.01, 0.97, 0.02], [0.0, 0.03, 1.01]])
TILTS = [(0.0, 0.0, 0.0), (3.0, -1.5, 2.0)]


def reference(tilt: tuple[float, float, float], m: int = 6, seed: int = 0):
    """A jittered lattice in a 15 Å cell with atoms scattered over periodic images."""
    rng = np.random.default_rng(seed)
    box = Box.from_bounds(np.array([-2.0, 1.0, 0.0]), np.array([13.0, 16.0, 15.0]), tilt)
    images = rng.integers(-2, 3, (m**3, 3))
    return box, jittered_lattice(box, m, 0.15, rng) + images @ box.h.T, rng


def deformed(box: Box, positions: np.ndarray, shift: np.ndarray) -> tuple[Box, np.ndarray]:
    """The configuration mapped by F about the origin of the cell, then translated."""
    return Box(box.lo + shift, F @ box.h), (positions - box.lo) @ F.T + box.lo + shift


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("cutoff", [4.0, 9.0])
def test_affine_map_has_zero_d2min(tilt: tuple[float, float, float], cutoff: float) -> None:
    box, r, _ = reference(tilt)
    current_box, current = deformed(box, r, np.array([0.4, -7.0, 2.0]))
    value, jac = d2min(box, r, current_box, current, cutoff)
    assert value.max() < 1e-20
    np.testing.assert_allclose(jac, np.broadcast_to(F, jac.shape), atol=1e-12)


@pytest.mark.parametrize("tilt", TILTS)
def test_local_rearrangement_only_affects_its_neighbourhood(tilt) -> None:
    box, r, _ = reference(tilt)
    cutoff = 4.0
    # the atom nearest a corner of the cell, so that its neighbourhood crosses periodic faces
    moved = int(np.argmin(np.linalg.norm(box.wrap_fractional(box.fractional(r))[0], axis=1)))
    current_box, current = deformed(box, r, np.zeros(3))
    current[moved] += [0.5, -0.3, 0.2]
    value, _ = d2min(box, r, current_box, current, cutoff)
    s = box.fractional(r) - box.fractional(r[moved])
    separation = np.linalg.norm((s - np.rint(s)) @ box.h.T, axis=1)
    near = separation < cutoff
    assert np.count_nonzero(near) > 10
    assert value[moved] > 0.1
    assert value[near].min() > 1e-4
    assert value[~near].max() < 1e-20


def brute_force_d2min(box, r0, box1, r1, cutoff):
    """Direct evaluation over every pair and the 27 images around the nearest one."""
    shifts = np.array(list(itertools.product((-1, 0, 1), repeat=3)))
    s0 = box.fractional(r0)
    result = np.empty(len(r0))
    for i in range(len(r0)):
        nearest = -np.rint(s0 - s0[i])
        n = (nearest[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
        j = np.tile(np.arange(len(r0)), len(shifts))
        d0, d1 = r0[j] + n @ box.h.T - r0[i], r1[j] + n @ box1.h.T - r1[i]
        length = np.linalg.norm(d0, axis=1)
        keep = (length < cutoff) & (length > 0.0)
        jt, *_ = np.linalg.lstsq(d0[keep], d1[keep], rcond=None)
        result[i] = np.sum((d1[keep] - d0[keep] @ jt) ** 2)
    return result


@pytest.mark.parametrize("tilt", TILTS)
def test_matches_brute_force_for_random_motion(tilt) -> None:
    box, r, rng = reference(tilt, m=5)
    current_box, current = deformed(box, r, np.zeros(3))
    current += rng.normal(scale=0.2, size=current.shape)
    value, _ = d2min(box, r, current_box, current, 5.0)
    np.testing.assert_allclose(
        value, brute_force_d2min(box, r, current_box, current, 5.0), rtol=1e-9
    )


def test_lammps_shear_dump(first_shear: dict) -> None:
    frames = read_dump(FIXTURES / f"shear_{first_shear['variables']['tag']}.dump.gz")
    start = frames[0]
    means = []
    for frame in frames[1:]:
        value, jac = d2min(start.box, start.positions(), frame.box, frame.positions(), 5.0)
        strain = frame.box.tilt[0] / frame.box.h[1, 1]
        assert np.all(np.isfinite(value)) and value.min() >= 0.0
        assert np.median(jac[:, 0, 1]) == pytest.approx(strain, abs=0.03)
        means.append(value.mean())
    assert np.all(np.diff(means) > 0.0)


def test_bad_input() -> None:
    box, r, _ = reference(TILTS[0])
    with pytest.raises(InputError, match=r"cutoff 1 leaves .* fewer than 3 neighbours"):
        d2min(box, r, box, r, 1.0)
    with pytest.raises(InputError, match="equal shape"):
        d2min(box, r, box, r[:-1], 4.0)


@pytest.mark.parametrize("tilt", TILTS)
def test_images_only_along_periodic_axes(tilt) -> None:
    pairs = {}
    for periodic in ((True, True, True), (True, True, False)):
        box = Box.from_bounds(np.zeros(3), np.full(3, 10.0), tilt, periodic)
        # atom 1 is 1 Å from atom 0 through the lower z face
        first = np.array([5.0, 5.0, 0.5])
        atoms = np.array([first, first + box.h[:, 2] - [0, 0, 1], [5, 5, 13], [5, 5, 15]])
        i, j, shift = PeriodicNeighbours(box, atoms, 2.5).query(atoms)
        pairs[periodic[2]] = {(a, b, tuple(n)) for a, b, n in zip(i, j, shift, strict=True)}
    assert (0, 1, (0, 0, -1)) in pairs[True]
    assert not any(a == 0 and b == 1 for a, b, _ in pairs[False])
    # atoms beyond a non-periodic face still see each other
    assert (2, 3, (0, 0, 0)) in pairs[False]
