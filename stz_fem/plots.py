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
