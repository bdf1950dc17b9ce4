"""Per-atom potential energy → effective temperature χ (docs/model.md section 5).

χ = β (U − U₀) T_Z (Shi et al. 2007; Kontolati et al. 2021: β = 8 eV⁻¹, U₀ = −3.3625 eV,
T_Z = 21000 K for their Cu50Zr50). U must be a coarse-grained local energy per atom. In an alloy
the raw per-atom energy mostly says which species an atom is (Mendelev Cu–Zr: Cu ≈ −3.74 eV,
Zr ≈ −5.97 eV), so remove the species offsets first (``composition_corrected``) and then
coarse-grain (``coarse_grain.gaussian_average``) before mapping.
"""

import numpy as np


def species_offsets(energy: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Mean energy of each species minus the mean over all atoms (eV), indexed by type id;
    NaN for absent ids."""
    types = np.asarray(types, dtype=np.int64)
    count = np.bincount(types)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(types, weights=energy) / count
    return means - np.mean(energy)


def composition_corrected(
    energy: np.ndarray, types: np.ndarray, offsets: np.ndarray | None = None
) -> np.ndarray:
    """Per-atom energy with the species offsets removed (eV): its mean over the sample is
    unchanged, so the coarse-grained field is the composition-weighted local energy.

    Take ``offsets`` from a reference frame (``species_offsets``) when comparing frames, so that
    a change of the mean energy of one species (e.g. under flow) is kept.
    """
    types = np.asarray(types, dtype=np.int64)
    if offsets is None:
        offsets = species_offsets(energy, types)
    return np.asarray(energy, dtype=float) - offsets[types]


def chi_from_energy(energy: np.ndarray, beta: float, u0: float, t_z: float) -> np.ndarray:
    """χ = β (U − U₀) T_Z in K, for a coarse-grained energy U (eV/atom), β in 1/eV, U₀ in eV,
    T_Z in K."""
    return beta * (np.asarray(energy, dtype=float) - u0) * t_z


def map_from_anchors(
    u_quenched: float, u_flow: float, chi0: float, chi_inf: float, t_z: float,
) -> tuple[float, float]:
    """β (1/eV) and U₀ (eV) of χ = β (U − U₀) T_Z from two anchor states: the as-quenched
    glass (energy per atom ``u_quenched``, eV, at χ₀) and steady flow (``u_flow`` at χ∞);
    χ₀, χ∞ and T_Z in K."""
    if u_flow <= u_quenched:
        raise ValueError(f"steady-flow energy {u_flow} eV must exceed the quenched "
                         f"{u_quenched} eV (flow rejuvenates)")
    beta = (chi_inf - chi0) / (t_z * (u_flow - u_quenched))
    return beta, u_quenched - chi0 / (beta * t_z)
