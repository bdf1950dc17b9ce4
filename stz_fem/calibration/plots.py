"""PNG plots of a calibration: fit vs data, residuals, parameter correlation matrix."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on compute nodes
import matplotlib.pyplot as plt
import numpy as np

from stz_fem.calibration.curves import DataCurve
from stz_fem.material import MaterialParameters


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


def plot_fits(curves: list[DataCurve], models: list[np.ndarray], path: Path,
              bands: list[tuple[np.ndarray, np.ndarray]] | None = None,
              label: str = "STZ fit", scores: list[float] | None = None,
              band_label: str = "bootstrap band") -> None:
    """Data and model stress (GPa) against strain, one panel per curve; ``bands``: a (low,
    high) envelope per curve, shaded (by default of an ensemble of fits); ``scores``: RMS
    relative to the peak per curve, in the titles."""
    fig, axes = _grid(len(curves))
    for k, (ax, curve, model) in enumerate(zip(axes, curves, models, strict=False)):
        ax.plot(curve.strain, curve.stress / 1e9, ".", ms=2, color="0.5", label="data")
        if bands is not None:
            low, high = bands[k]
            ax.fill_between(curve.strain, low / 1e9, high / 1e9, color="C3", alpha=0.25,
                            lw=0, label=band_label)
        ax.plot(curve.strain, model / 1e9, "-", color="C3", label=label)
        title = _label(curve)
        if scores is not None:
            title += f", RMS {100 * scores[k]:.1f} % of peak"
        ax.set_title(title, fontsize=8)
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


def plot_md_comparison(
    fields: dict, extent_m: tuple[float, float], md_curve: tuple[np.ndarray, np.ndarray] | None,
    fe_curve: tuple[np.ndarray, np.ndarray], label: str, path: Path,
) -> None:
    """MD and FE maps side by side on one colour scale, their profiles across y, and the two
    stress curves (the MD one if given). ``fields`` is the result of
    ``md_comparison.compare_fields``."""
    md, fe = fields["md"], fields["fe_on_grid"]
    lx, ly = (1e9 * e for e in extent_m)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.0), width_ratios=[1, 1, 0.8, 1.1])
    vmax = float(max(md.max(), fe.max()))
    for ax, data, title in ((axes[0], md, f"MD, γ = {fields['md_nominal_strain']:.2f}"),
                            (axes[1], fe, f"FE, γ = {fields['fe_nominal_strain']:.2f}")):
        image = ax.imshow(data, origin="lower", extent=(0, lx, 0, ly), vmin=0.0, vmax=vmax,
                          cmap="viridis")
        ax.set_title(f"{title}: {label}", fontsize=9)
        ax.set_xlabel("x (nm)")
        ax.set_ylabel("y (nm)")
    fig.colorbar(image, ax=axes[:2], shrink=0.85, label=label)
    y = (np.arange(md.shape[0]) + 0.5) * ly / md.shape[0]
    axes[2].plot(md.mean(axis=1), y, "k.-", ms=3, label="MD")
    axes[2].plot(fe.mean(axis=1), y, "C3.-", ms=3, label="FE")
    for key, style in (("md_band_centre_m", "k--"), ("band_centre_m", "C3--")):
        axes[2].axhline(1e9 * fields[key], ls=style[-2:], color=style[:-2], lw=0.8)
    axes[2].set_xlabel(f"{label}, mean over x")
    axes[2].set_ylabel("y (nm)")
    axes[2].set_title(f"r = {fields['strain_correlation']:.2f} (maps)", fontsize=9)
    axes[2].legend(fontsize=8)
    if md_curve is not None:
        axes[3].plot(md_curve[0], md_curve[1] / 1e9, ".", ms=2, color="0.5", label="MD")
    axes[3].plot(fe_curve[0], fe_curve[1] / 1e9, "-", color="C3", label="FE cell")
    axes[3].set_xlabel("nominal shear strain γ")
    axes[3].set_ylabel("shear stress (GPa)")
    axes[3].legend(fontsize=8)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_pressure(curves: list, entries: list[dict], params: MaterialParameters, path: Path
                  ) -> None:
    """Left: flow stress against pressure per (T, rate, held) group with the fitted line
    (slope α); right: plastic volumetric strain against plastic shear strain per run (their
    slope β). ``curves``: ``pressure_analysis.PressureCurve`` runs; ``entries``: the report's
    ``analyses.pressure``; G (at each run's T) and K from ``params``."""
    from stz_fem.calibration.pressure_analysis import plastic_strains

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for k, entry in enumerate(entries):
        p = np.array([r["flow_pressure_Pa"] for r in entry["runs"]]) / 1e9
        flow = np.array([r["flow_stress_Pa"] for r in entry["runs"]]) / 1e9
        label = f"{entry['temperature_K']:g} K, {entry['held']}"
        left.plot(p, flow, "o", color=f"C{k}", label=label)
        if "alpha" in entry:
            line = np.linspace(p.min(), p.max(), 2)
            intercept = entry["flow_stress_at_zero_pressure_Pa"] / 1e9
            left.plot(line, intercept + entry["alpha"] * line, "-", color=f"C{k}",
                      label=f"α = {entry['alpha']:.3f} ± {entry['alpha_error'] or math.nan:.3f}")
    # one panel row for all runs: colour = mean pressure, marker = (T, held) group
    markers = dict(zip(sorted({(c.spec.temperature, c.spec.held) for c in curves}), "o^sDv<>",
                       strict=False))
    for curve in curves:
        G = params.G_at(curve.spec.temperature)
        shear, volumetric = plastic_strains(curve, G, params.K)
        colour = plt.cm.coolwarm((np.mean(curve.pressure) / 1e9 + 1.0) / 3.0)
        right.plot(shear, 100 * volumetric, markers[curve.spec.temperature, curve.spec.held],
                   ms=1.5, color=colour, alpha=0.6)
    for (temperature, held), marker in markers.items():
        right.plot([], [], marker, ms=4, color="0.3", label=f"{temperature:g} K, {held}")
    right.set_title("colour: pressure, −1 (blue) to 2 GPa (red)", fontsize=8)
    left.set_xlabel("pressure p (GPa)")
    left.set_ylabel("flow stress s̄ (GPa)")
    right.set_xlabel("plastic shear strain γᵖ = γ − σ₁₂/G")
    right.set_ylabel("plastic volumetric strain (%)")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_loading_slopes(entries: list[dict], path: Path) -> None:
    """Loading slope (GPa) against temperature, one panel per glass: the data's mean with the
    replicas' standard deviation (filled: trained, open: held out) and the model's (crosses),
    one colour per rate. ``entries``: the report's ``analyses.loading_slope``."""
    glasses = sorted({str(e["glass"]) for e in entries})
    rates = sorted({e["rate_per_s"] for e in entries})
    fig, axes = _grid(len(glasses))
    for ax, glass in zip(axes, glasses, strict=False):
        for e in (e for e in entries if str(e["glass"]) == glass):
            colour = f"C{rates.index(e['rate_per_s'])}"
            shift = 4.0 * (rates.index(e["rate_per_s"]) - (len(rates) - 1) / 2)  # K, legibility
            T = e["temperature_K"] + shift
            ax.errorbar(T, e["data_slope_Pa"] / 1e9, yerr=(e["data_slope_sd_Pa"] or 0.0) / 1e9,
                        fmt="o", color=colour, mfc=colour if e["set"] == "train" else "none")
            ax.plot(T, e["model_slope_Pa"] / 1e9, "x", color=colour)
        ax.set_title(f"{glass}: data (o; filled = trained) and model (x)", fontsize=8)
        ax.set_xlabel("temperature (K)")
        ax.set_ylabel("loading slope (GPa)")
    for k, rate in enumerate(rates):
        axes[0].plot([], [], "o", color=f"C{k}", label=f"{rate:.3g} 1/s")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
