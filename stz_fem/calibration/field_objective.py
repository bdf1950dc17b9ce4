"""The objective of the field-level calibration: a finite-element cell against MD, from the
stress curve and the strain maps of several frames (docs/model.md §5).

Per fitted MD frame f (strain maps on the MD grid, [y, x]; the FE cell averages binned on it,
``sample_on_grid``):

    e_c,f = |c_FE − c_MD| (periodic in y, m)        band centre of the x-averaged profile
    e_w,f = |w_FE − w_MD| / w_MD                    relative FWHM above the far field
    e_r,f = 1 − r(γ_FE, γ_MD)                       Pearson r of the two maps

and over the MD curve's strains up to the cell's end, e_s = RMS(σ_FE − σ_MD) / max σ_MD.
The objective is

    J = w_s (e_s/S_s)² + (1/|F|) Σ_f [w_c (e_c,f/S_c)² + w_w (e_w,f/S_w)² + w_r (e_r,f/S_r)²]

with scales S (``[objective]``: by default the targets 2.5 nm, 25 %, 0.15 and 5 %), so a part
below one meets its target. No DOLFINx here: these are functions of arrays.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from stz_fem.atomistic.grid_band import band_across_y
from stz_fem.calibration.md_comparison import cells_on_grid, pearson
from stz_fem.material.parameters import K_B_EV

PARTS = ("centre", "width", "correlation", "stress")


def sample_on_grid(coords: np.ndarray, volume: np.ndarray, values: np.ndarray, x: np.ndarray,
                   y: np.ndarray) -> np.ndarray:
    """Volume-weighted mean of FE cell values (centroids ``coords`` (n, 2), m) in each cell of
    the uniform grid with cell centres ``x``, ``y`` (m), [y, x]; a grid cell that holds no
    centroid (an FE mesh coarser than the grid) takes the value of the nearest centroid."""
    from scipy.spatial import cKDTree

    out = cells_on_grid(coords, volume, values, x, y, holes=True)
    empty = np.isnan(out)
    if empty.any():
        gx, gy = np.meshgrid(x, y)
        centres = np.column_stack([gx[empty], gy[empty]])
        out[empty] = values[cKDTree(coords[:, :2]).query(centres)[1]]
    return out


def map_u0(energy: np.ndarray, beta: float, chi_mean: float, T_Z: float, T: float,
           vibration: float = 1.5) -> float:
    """U₀ (eV) of the PE→χ map χ = β(U − c·k_B·T − U₀)T_Z whose mean over ``energy`` (eV per
    atom, sampled at bath temperature T, K) is ``chi_mean`` (K); β in 1/eV, T_Z in K."""
    return float(np.mean(energy) - vibration * K_B_EV * T - chi_mean / (beta * T_Z))


def periodic_distance(a: float, b: float, period: float) -> float:
    """|a − b| on a circle of circumference ``period`` (units of a, b)."""
    return float(abs((a - b + period / 2) % period - period / 2))


def measures(fe: np.ndarray, md: np.ndarray, y: np.ndarray, period: float,
             level: float = 0.5) -> dict[str, float]:
    """Band figures of one FE map against one MD map, both [y, x] on cell centres ``y`` (m):
    centres and FWHMs (``grid_band.band_across_y`` at ``level``, m), the periodic centre
    error (m), the signed relative FWHM error and the maps' Pearson r."""
    f = band_across_y(fe, y, period, level)
    m = band_across_y(md, y, period, level)
    return {
        "fe_centre_m": f.centre, "md_centre_m": m.centre,
        "centre_error_m": periodic_distance(f.centre, m.centre, period),
        "fe_fwhm_m": f.width, "md_fwhm_m": m.width,
        "fwhm_relative_error": f.width / m.width - 1.0,
        "correlation": pearson(fe, md) if np.std(fe) > 0.0 else 0.0,
    }


@dataclass(frozen=True)
class FrameScore:
    """One frame: FE and MD band centre and FWHM (m) and the maps' Pearson r."""

    frame: int
    fe_centre: float
    md_centre: float
    fe_width: float
    md_width: float
    correlation: float
    centre_error: float
    width_error: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def score_frame(frame: int, fe: np.ndarray, md: np.ndarray, y: np.ndarray, period: float
                ) -> FrameScore:
    """``measures`` of an FE map against the MD map of the same frame, as the objective uses
    them: |relative FWHM error|, and a band that cannot be measured (no maximum, e.g. a
    uniform field) scored as the worst case (centre half a period off, width 100 % off, r 0)."""
    m = measures(fe, md, y, period)
    centre, width, r = m["centre_error_m"], abs(m["fwhm_relative_error"]), m["correlation"]
    return FrameScore(frame, m["fe_centre_m"], m["md_centre_m"], m["fe_fwhm_m"], m["md_fwhm_m"],
                      r if np.isfinite(r) else 0.0,
                      centre if np.isfinite(centre) else period / 2,
                      width if np.isfinite(width) else 1.0)


def stress_rms(fe_strain: np.ndarray, fe_stress: np.ndarray, md_strain: np.ndarray,
               md_stress: np.ndarray) -> float:
    """RMS of σ_FE − σ_MD (at the MD strains the FE curve covers, FE interpolated linearly,
    from (0, 0)) relative to the MD peak over those strains."""
    strain = np.concatenate([[0.0], fe_strain])
    stress = np.concatenate([[0.0], fe_stress])
    covered = md_strain <= strain[-1] * (1 + 1e-9)
    md = md_stress[covered]
    fe = np.interp(md_strain[covered], strain, stress)
    return float(np.sqrt(np.mean((fe - md) ** 2)) / md.max())


def combine(frames: list[FrameScore], rms: float, scales: dict[str, float],
            weights: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The objective J and its weighted parts (module docstring), each (error/scale)²·weight;
    the frame parts are means over ``frames``."""
    parts = {
        "centre": np.mean([(f.centre_error / scales["centre"]) ** 2 for f in frames]),
        "width": np.mean([(f.width_error / scales["width"]) ** 2 for f in frames]),
        "correlation": np.mean([((1.0 - f.correlation) / scales["correlation"]) ** 2
                                for f in frames]),
        "stress": (rms / scales["stress"]) ** 2,
    }
    parts = {k: float(weights[k] * v) for k, v in parts.items()}
    return float(sum(parts.values())), parts
