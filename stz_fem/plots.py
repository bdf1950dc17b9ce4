"""PNG plots of results (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def plot_point_curve(
    curve: dict[str, np.ndarray], path: str | Path, strain_label: str, stress_label: str,
    title: str,
) -> None:
    """Stress and χ against strain of a material-point run, stacked, written to ``path``."""
    fig, (ax_s, ax_c) = plt.subplots(2, 1, sharex=True, figsize=(6, 6), constrained_layout=True)
    ax_s.plot(curve["strain"], curve["stress_Pa"] / 1e9, color="C0")
    ax_s.set_ylabel(f"{stress_label} (GPa)")
    ax_s.grid(alpha=0.3)
    ax_s.set_title(title)
    ax_c.plot(curve["strain"], curve["chi_K"], color="C3")
    ax_c.set_ylabel("χ (K)")
    ax_c.set_xlabel(strain_label)
    ax_c.grid(alpha=0.3)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_run(
    curve: dict[str, np.ndarray], cells: dict[str, np.ndarray], path: str | Path,
    strain_label: str, stress_label: str, title: str,
) -> None:
    """Load curve with the localization index, and χ and plastic-strain maps of the last state.

    ``cells`` holds gathered cell data: ``coords`` (n, 2) or (n, 3) in m, ``chi_K``,
    ``plastic_strain``. In 3-D the maps show the cells next to the plane z = min z (the
    symmetry plane of a quarter model), in a slab 2 % of the depth thick.
    """
    fig = plt.figure(figsize=(11, 7), constrained_layout=True)
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, 0])
    ax.plot(curve["nominal_strain"], curve["mean_stress_Pa"] / 1e9, color="C0")
    ax.set_xlabel(strain_label)
    ax.set_ylabel(f"{stress_label} (GPa)")
    ax.grid(alpha=0.3)
    ax_l = fig.add_subplot(grid[0, 1])
    ax_l.plot(curve["nominal_strain"], curve["localization_index"], color="C3")
    ax_l.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax_l.set_xlabel(strain_label)
    ax_l.set_ylabel("localization index L")
    ax_l.set_ylim(0, 1)
    ax_l.grid(alpha=0.3)
    coords, near = cells["coords"], slice(None)
    if coords.shape[1] == 3:
        z = coords[:, 2]
        near = z <= z.min() + 0.02 * np.ptp(z)
    x, y = coords[near, 0] * 1e3, coords[near, 1] * 1e3
    for k, (name, label) in enumerate((("chi_K", "χ (K)"), ("plastic_strain", "plastic strain"))):
        axm = fig.add_subplot(grid[1, k])
        art = axm.tripcolor(x, y, cells[name][near], shading="gouraud", cmap="inferno")
        if coords.shape[1] == 3:
            axm.set_title("section next to z = min z", fontsize=9)
        axm.set_aspect("equal")
        axm.set_xlabel("x (mm)")
        axm.set_ylabel("y (mm)")
        fig.colorbar(art, ax=axm, label=label, shrink=0.8)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
