"""PNG plots of a calibration: fit vs data, residuals, parameter correlation matrix."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on compute nodes
import matplotlib.pyplot as plt
import numpy as np

from stz_fem.calibration.curves import DataCurve


def _label(curve: DataCurve) -> str:
    s = curve.spec
    return f"{s.path.name}\n{s.loading}, {s.rate:.3g} 1/s, {s.temperature:g} K"


def _grid(n: int) -> tuple[plt.Figure, np.ndarray]:
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def plot_fits(curves: list[DataCurve], models: list[np.ndarray], path: Path) -> None:
    """Data and fitted model stress (GPa) against strain, one panel per curve."""
    fig, axes = _grid(len(curves))
    for ax, curve, model in zip(axes, curves, models, strict=False):
        ax.plot(curve.strain, curve.stress / 1e9, ".", ms=2, color="0.5", label="data")
        ax.plot(curve.strain, model / 1e9, "-", color="C3", label="STZ fit")
        ax.set_title(_label(curve), fontsize=8)
        ax.set_xlabel("strain")
        ax.set_ylabel("stress (GPa)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_residuals(curves: list[DataCurve], models: list[np.ndarray], path: Path) -> None:
    """Model − data relative to each curve's peak, against strain."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for k, (curve, model) in enumerate(zip(curves, models, strict=True)):
        ax.plot(curve.strain, 100 * (model - curve.stress) / curve.peak, lw=0.8,
                label=curve.spec.path.name, color=f"C{k % 10}")
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set_xlabel("strain")
    ax.set_ylabel("(model − data) / peak (%)")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_correlation(names: list[str], correlation: np.ndarray, path: Path) -> None:
    """Correlation matrix of the fitted parameters, annotated."""
    n = len(names)
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * n, 0.8 + 0.8 * n))
    image = ax.imshow(correlation, vmin=-1.0, vmax=1.0, cmap="RdBu_r")
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{correlation[i, j]:+.2f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8, label="correlation")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
