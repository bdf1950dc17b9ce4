"""Initial effective-temperature fields χ₀(x), K, evaluated at given points (m).

Every field is a function of position only: the same on any number of MPI ranks. The random
field is drawn on a global grid from its seed (so each rank draws the same numbers) and then
interpolated, which is what makes it rank independent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from stz_fem.atomistic.energy_chi import chi_from_energy
from stz_fem.errors import InputError
from stz_fem.material.parameters import K_B_EV

if TYPE_CHECKING:
    from stz_fem.cases import InitialChi
    from stz_fem.material.parameters import MaterialParameters


@dataclass(frozen=True)
class Bump:
    """Gaussian bump amplitude·exp(−|x − centre|²/(2 width²)).

    centre in m, amplitude in K, width in m.
    """

    centre: Sequence[float]
    amplitude: float
    width: float


def uniform(points: np.ndarray, value: float) -> np.ndarray:
    """χ₀ = value everywhere (K)."""
    return np.full(points.shape[0], float(value))


def bumps(points: np.ndarray, base: float, bumps: Sequence[Bump]) -> np.ndarray:
    """base + Σ Gaussian bumps, K. Points (n, gdim) in m."""
    chi = np.full(points.shape[0], float(base))
    for b in bumps:
        centre = np.asarray(b.centre, dtype=float)
        r2 = np.sum((points[:, : centre.size] - centre) ** 2, axis=1)
        chi += b.amplitude * np.exp(-r2 / (2.0 * b.width**2))
    return chi


def random_field(
    points: np.ndarray, lower: np.ndarray, upper: np.ndarray, mean: float, std: float,
    correlation_length: float, seed: int, max_cells: int = 2**22,
) -> np.ndarray:
    """Gaussian random field with squared-exponential correlation exp(−r²/(2ξ²)), K.

    Drawn on a grid over the box [lower, upper] (m, the whole domain, identical on all ranks)
    with spacing ≤ ξ/3, normalized to the requested mean and standard deviation, and
    interpolated linearly at the points.
    """
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    extent = upper - lower
    spacing = correlation_length / 3.0
    shape = np.maximum(np.ceil(extent / spacing).astype(int) + 1, 2)
    if np.prod(shape) > max_cells:
        raise InputError(
            f"initial_chi.correlation_length = {correlation_length!r}: too small for the domain "
            f"({' × '.join(map(str, shape))} grid points; at most {max_cells})"
        )
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(shape)
    # Filter white noise in Fourier space with the spectrum of the correlation (on a padded
    # grid, so the field is not periodic across the box).
    padded = [int(n + 4 * np.ceil(correlation_length / (e / (n - 1)))) for n, e in zip(
        shape, extent, strict=True)]
    freqs = np.meshgrid(*[
        np.fft.fftfreq(m, d=e / (n - 1)) for m, n, e in zip(padded, shape, extent, strict=True)
    ], indexing="ij")
    k2 = sum((2 * np.pi * f) ** 2 for f in freqs)
    axes = tuple(range(len(shape)))
    spectrum = np.fft.fftn(noise, padded, axes=axes)
    field = np.fft.ifftn(spectrum * np.exp(-0.25 * k2 * correlation_length**2), axes=axes)
    field = field.real[tuple(slice(0, n) for n in shape)]
    field = (field - field.mean()) / field.std()
    grid = [np.linspace(lo, hi, n) for lo, hi, n in zip(lower, upper, shape, strict=True)]
    interp = RegularGridInterpolator(grid, field, bounds_error=False, fill_value=None)
    return mean + std * interp(points[:, : lower.size])


def gridded(
    points: np.ndarray, path: str | Path, key: str = "chi_K", frame: int | None = None,
    periodic: bool = True,
) -> np.ndarray:
    """χ₀ interpolated from a gridded field in an .npz file (K).

    The file holds cell-centre coordinates ``x_m``, ``y_m`` (m) and the field under ``key``
    indexed [y, x] (or [frame, y, x] with ``frame``). With ``periodic`` the grid wraps around
    (a periodic MD cell); otherwise values outside the grid take the nearest edge.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"initial_chi.file = '{path}': no such file")
    x, y, values = _grid(path, key, frame)
    if periodic:
        dx, dy = x[1] - x[0], y[1] - y[0]
        x = np.concatenate([[x[0] - dx], x, [x[-1] + dx]])
        y = np.concatenate([[y[0] - dy], y, [y[-1] + dy]])
        values = np.pad(values, 1, mode="wrap")
        lx, ly = x[-1] - x[0] - dx, y[-1] - y[0] - dy
        px = x[1] - dx / 2 + np.mod(points[:, 0] - (x[1] - dx / 2), lx)
        py = y[1] - dy / 2 + np.mod(points[:, 1] - (y[1] - dy / 2), ly)
    else:
        px = np.clip(points[:, 0], x[0], x[-1])
        py = np.clip(points[:, 1], y[0], y[-1])
    interp = RegularGridInterpolator((y, x), values)
    return interp(np.column_stack([py, px]))


def chi0_field(
    spec: InitialChi, params: MaterialParameters, lower: np.ndarray, upper: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """χ₀(points) (K) of a case's ``initial_chi`` section: ``material.chi0`` (K) plus bumps or
    a random field, or a gridded field (χ directly, or a potential energy mapped by
    χ = β (U − U₀) T_Z with T_Z in K, or by the material's own PE→χ map). ``lower``,
    ``upper``: the domain's bounding box (m)."""
    chi0, T_Z = params.chi0, params.T_Z
    dim = len(lower)
    if spec.kind == "uniform":
        return lambda x: uniform(x, chi0)
    if spec.kind == "bumps":
        for k, b in enumerate(spec.bumps):
            if len(b.centre) != dim:
                raise InputError(f"initial_chi.bumps[{k}].centre = {b.centre}: needs {dim} "
                                 f"coordinates (m) on this {dim}-D mesh")
        bump_list = [Bump(b.centre, b.amplitude, b.width) for b in spec.bumps]
        return lambda x: bumps(x, chi0, bump_list)
    if spec.kind == "random":
        return lambda x: random_field(x, lower, upper, chi0, spec.std, spec.correlation_length,
                                      spec.seed)
    _grid(Path(spec.file), spec.key, spec.frame)  # a bad file fails here, before any solve
    _check_grid_covers(spec.file, lower, upper)
    if spec.energy_from_material:
        if params.pe_beta is None or params.pe_u0 is None:
            raise InputError("initial_chi.energy_from_material: the material has no PE→χ map "
                             "(pe_beta, pe_u0); give energy_beta and energy_u0 instead")
        # the map of MaterialParameters.chi_of_energy at the material's T (docs/model.md §5),
        # without its χ > 0 check: χ₀ is checked at the mesh nodes on all ranks at once
        vibration = params.pe_vibration * K_B_EV * params.T
        return lambda x: chi_from_energy(gridded(x, spec.file, spec.key, spec.frame) - vibration,
                                         params.pe_beta, params.pe_u0, T_Z)
    if spec.energy_beta is None:
        return lambda x: gridded(x, spec.file, spec.key, spec.frame)
    return lambda x: chi_from_energy(gridded(x, spec.file, spec.key, spec.frame),
                                     spec.energy_beta, spec.energy_u0, T_Z)


def _grid(path: Path, key: str, frame: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell-centre coordinates x, y (m) and the [y, x] field ``key`` of an .npz grid (of frame
    ``frame`` of a [frame, y, x] array). InputError for a file that is not such a grid."""
    where = f"initial_chi.file = '{path}'"
    try:
        with np.load(path) as data:
            missing = [n for n in ("x_m", "y_m", key) if n not in data.files]
            if missing:
                raise InputError(f"{where}: no array '{missing[0]}'; has "
                                 f"{', '.join(data.files)}")
            x, y, values = (np.asarray(data[n], float) for n in ("x_m", "y_m", key))
    except (OSError, ValueError, EOFError) as err:
        raise InputError(f"{where}: not a NumPy .npz grid ({err})") from None
    if frame is not None:
        if not -values.shape[0] <= frame < values.shape[0] or values.ndim != 3:
            raise InputError(f"initial_chi.frame = {frame}: the array '{key}' has shape "
                             f"{values.shape} ([frame, y, x] needed, frame < {values.shape[0]})")
        values = values[frame]
    if values.shape != (y.size, x.size) or x.size < 2 or y.size < 2:
        raise InputError(f"{where}: '{key}' has shape {values.shape}; [y, x] = "
                         f"({y.size}, {x.size}) with at least 2 × 2 cells expected")
    if not np.all(np.isfinite(values)):
        raise InputError(f"{where}: '{key}' holds NaN or infinite values")
    return x, y, values


def _check_grid_covers(path: str, lower: np.ndarray, upper: np.ndarray) -> None:
    """InputError unless the grid's cells (centres ``x_m``, ``y_m`` in m, one cell width
    around each) cover the domain's bounding box [lower, upper] (m) in x and y: a periodic
    MD grid repeats, but a specimen must fit in one period of it."""
    try:
        with np.load(path) as data:
            axes = [np.asarray(data[name], float) for name in ("x_m", "y_m")]
    except (OSError, ValueError, KeyError) as err:
        raise InputError(f"initial_chi.file = '{path}': cannot read x_m and y_m ({err})") from None
    for axis, (centres, lo, hi) in enumerate(zip(axes, lower[:2], upper[:2], strict=True)):
        half = 0.5 * (centres[1] - centres[0]) if centres.size > 1 else 0.0
        start, stop = centres.min() - half, centres.max() + half
        slack = 1e-6 * (stop - start)
        if lo < start - slack or hi > stop + slack:
            raise InputError(
                f"initial_chi.file = '{path}': the grid covers {'xy'[axis]} ∈ [{start:.4g}, "
                f"{stop:.4g}] m, the domain [{lo:.4g}, {hi:.4g}] m")


def chi0_on_mesh(section: InitialChi, params: MaterialParameters, points: np.ndarray,
                 comm) -> Callable[[np.ndarray], np.ndarray]:
    """χ₀(x) of a case's ``[initial_chi]`` on a mesh whose node coordinates (m) on this rank
    are ``points`` (collective over ``comm``): the field over the mesh's global bounding box
    (``chi0_field``), checked to be finite and > 0 K at every node. The function returned
    checks the same where it is evaluated — the quadrature points, between which an
    interpolated map can dip below its values at the nodes — and is collective too: every
    rank calls it once.

    Raises:
        InputError: on every rank, if the field is not finite and positive at those points.
    """
    from mpi4py import MPI

    lower, upper = np.empty(points.shape[1]), np.empty(points.shape[1])
    comm.Allreduce(points.min(axis=0), lower, op=MPI.MIN)
    comm.Allreduce(points.max(axis=0), upper, op=MPI.MAX)
    chi0 = chi0_field(section, params, lower, upper)

    def checked(x: np.ndarray) -> np.ndarray:
        values = np.asarray(chi0(x), dtype=float)
        bad = ~(np.isfinite(values) & (values > 0.0))
        local = float(values[bad][0]) if bad.any() else None
        found = [v for v in comm.allgather(local) if v is not None]
        if found:
            raise InputError(f"initial_chi: χ₀ must be finite and > 0 K everywhere; this field "
                             f"(material.chi0 with initial_chi) reaches {found[0]:.4g} K")
        return values

    checked(points)  # before any solver is built
    return checked
