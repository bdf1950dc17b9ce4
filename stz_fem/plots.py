"""PNG plots of results (matplotlib, headless)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.tri as mtri
import numpy as np

from stz_fem.postprocess.load_history import first_flow, load_drop_rows
from stz_fem.postprocess.specimen_results import load_curve, surface_bands


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


def plot_specimen_run(
    path: str | Path, specimen, curve: dict[str, np.ndarray], cells: dict[str, np.ndarray],
    onset_strain: float | None,
) -> None:
    """:func:`plot_run` of a specimen's run: its load curve, labels and the bands counted on
    its tensile surface (``stz_fem.specimens.Specimen``; ``postprocess.specimen_results``),
    the curve.csv columns, the cell data of the state to map, and the onset of localization
    (nominal strain or None)."""
    surface = specimen.tensile_surface()
    drops = specimen.curve_results.load_drops
    plot_run(
        curve, cells, path, title=specimen.case.title or specimen.case.specimen,
        load_curve=load_curve(specimen, curve), strain_label=specimen.strain_label,
        onset_strain=onset_strain,
        load_drops=None if drops is None else load_drop_rows(curve[drops[0]],
                                                             curve[drops[1]]),
        surface_bands=None if surface is None else (
            surface[0], np.asarray(surface_bands(specimen, cells)["positions_m"])),
    )


def plot_run(
    curve: dict[str, np.ndarray], cells: dict[str, np.ndarray], path: str | Path, *,
    title: str, load_curve: tuple[np.ndarray, np.ndarray, str, str], strain_label: str,
    onset_strain: float | None = None,
    surface_bands: tuple[float, np.ndarray] | None = None,
    load_drops: list[tuple[int, int]] | None = None,
) -> None:
    """The overview of a specimen run, written to ``path``.

    Top: the load curve ``load_curve`` = (x, y, x label, y label), one value per curve row,
    and the localization index L with the flowing volume fraction against the nominal strain;
    the first plastic flow (first row with D > 0) and the onset of localization
    (``onset_strain``, nominal) are marked on both, and the load drops (``load_drops``: curve
    row ranges, ``postprocess.load_history.load_drop_rows``) on the load curve. Bottom: χ
    over the specimen, and the accumulated plastic strain where it is (zoomed to the plastic
    zone) with the detected bands drawn: the cells with D ≥ ½ max D, where docs/model.md §6
    measures a band's orientation, and, for ``surface_bands`` = (y of the tensile face,
    positions along it, m), where the counted bands meet the face.

    ``cells`` holds gathered cell data: ``coords`` (n, 2) or (n, 3) in m, ``chi_K``,
    ``plastic_strain``, ``D_per_s``. In 3-D the maps show the cells next to the plane
    z = min z (the symmetry plane of a quarter model): those in a slab 2 % of the depth thick
    and, where the mesh is coarser, those within half their size of the plane.
    """
    coords, near = cells["coords"], slice(None)
    if coords.shape[1] == 3:
        near = next_to_symmetry_plane(coords, cells["volume"])
    section = {k: cells[k][near] for k in ("coords", "volume", "chi_K", "plastic_strain",
                                            "D_per_s")}
    scale, unit = length_unit(section["coords"])
    x, y = section["coords"][:, 0] * scale, section["coords"][:, 1] * scale
    box = plastic_zone_view(x, y, section["plastic_strain"])
    view = box or ((x.min(), x.max()), (y.min(), y.max()))
    # slender views (beams) get a full-width row each, the others share one
    slender = np.ptp(view[0]) > 2.5 * np.ptp(view[1])
    fig = plt.figure(figsize=(12, 9 if slender else 7.5), constrained_layout=True)
    grid = fig.add_gridspec(3 if slender else 2, 2, height_ratios=(1.4, 1, 1) if slender else None)
    _curve_panels(fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), curve, load_curve,
                  strain_label, onset_strain, load_drops or [])
    _map_panels(fig, fig.add_subplot(grid[1, :] if slender else grid[1, 0]),
                fig.add_subplot(grid[2, :] if slender else grid[1, 1]), section, box,
                surface_bands, "section next to z = min z: " if coords.shape[1] == 3 else "",
                (scale, unit))
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def next_to_symmetry_plane(coords: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """Mask of the 3-D cells (centroids ``coords`` (n, 3) and volumes, SI) that map the plane
    z = min z: those in a slab 2 % of the depth thick, and every cell within half its size
    (edge of a regular tetrahedron of its volume, ≈ (6V)^⅓) of the plane, since where the mesh
    is coarser than the slab no centroid lies in it and the map would have holes."""
    depth = coords[:, 2] - coords[:, 2].min()
    return (depth <= 0.02 * np.ptp(depth)) | (depth <= 0.5 * (6.0 * volume) ** (1.0 / 3.0))


def _curve_panels(
    ax: plt.Axes, ax_l: plt.Axes, curve: dict[str, np.ndarray],
    load_curve: tuple[np.ndarray, np.ndarray, str, str], strain_label: str,
    onset_strain: float | None, load_drops: list[tuple[int, int]],
) -> None:
    """The load curve and L with the flowing fraction, the first flow, the onset and the load
    drops (curve row ranges) marked."""
    strain = curve["nominal_strain"]
    x_load, y_load, x_label, y_label = load_curve
    first = first_flow(curve["max_D_per_s"])
    marks = []  # (nominal strain, label, marker)
    if first is not None:
        marks.append((strain[first], "first plastic flow", "^"))
    if onset_strain is not None:
        marks.append((onset_strain, "localization onset (L > 0.5)", "o"))
    ax.plot(x_load, y_load, color="C0")
    for k, (i, j) in enumerate(load_drops):
        ax.plot(x_load[i:j + 1], y_load[i:j + 1], color="C3", lw=2.0,
                label=f"load drops ({len(load_drops)})" if k == 0 else None)
    for at, label, marker in marks:
        ax.plot(np.interp(at, strain, x_load), np.interp(at, strain, y_load), marker,
                color="k", mfc="none", label=label)
        ax_l.axvline(at, color="k", lw=0.8, ls=":")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if marks or load_drops:
        ax.legend(fontsize=8)
    ax_l.plot(strain, curve["localization_index"], color="C3", label="localization index L")
    ax_l.plot(strain, curve["flowing_fraction"], color="C2", lw=1.0,
              label="flowing volume fraction")
    ax_l.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax_l.set_xlabel(strain_label)
    ax_l.set_ylim(0, 1)
    ax_l.legend(fontsize=8)
    for axis in (ax, ax_l):
        axis.grid(alpha=0.3)


def _map_panels(
    fig: plt.Figure, ax_c: plt.Axes, ax_p: plt.Axes, cells: dict[str, np.ndarray],
    box: tuple[tuple[float, float], tuple[float, float]] | None,
    surface_bands: tuple[float, np.ndarray] | None, section: str, unit: tuple[float, str],
) -> None:
    """χ with the plastic zone framed, and the plastic strain in it with the bands drawn;
    lengths in ``unit`` (factor from m, name)."""
    dim = cells["coords"].shape[1]
    scale, name = unit
    x, y = cells["coords"][:, 0] * scale, cells["coords"][:, 1] * scale
    plastic, rate = cells["plastic_strain"], cells["D_per_s"]
    mesh = _centroid_triangulation(x, y, cells["volume"] * scale**dim, dim)
    art = ax_c.tripcolor(mesh, cells["chi_K"], shading="gouraud", cmap="inferno")
    fig.colorbar(art, ax=ax_c, label="χ (K)", shrink=0.8)
    ax_c.set_title(section + "χ" + (" (white: the plastic zone shown next)" if box else ""),
                   fontsize=9)
    if box is not None:
        (x0, x1), (y0, y1) = box
        ax_c.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color="w", lw=0.8))
    # the top percent (a notch root's or an indenter edge's peak) would wash out the bands
    top = float(np.quantile(plastic, 0.99))
    top = top if top > 0.0 else None
    art = ax_p.tripcolor(mesh, plastic, shading="gouraud", cmap="inferno", vmin=0.0, vmax=top)
    fig.colorbar(art, ax=ax_p, label="accumulated plastic strain", shrink=0.8,
                 extend="max" if top is not None and plastic.max() > top else "neither")
    drawn = []
    if rate.max() > 0.0:
        band = rate >= 0.5 * rate.max()
        ax_p.plot(x[band], y[band], ".", color="c", ms=1.5, alpha=0.6)
        drawn.append("cyan dots: the band region D ≥ ½ max D")
    if surface_bands is not None and surface_bands[1].size:
        face, at = surface_bands
        ax_p.plot(at * scale, np.full(at.size, face * scale), "^", color="c", ms=7, mec="k",
                  clip_on=False)
        drawn.append(f"triangles: bands counted on the tensile face ({at.size})")
    if box is not None:
        ax_p.set_xlim(box[0])
        ax_p.set_ylim(box[1])
    ax_p.set_title(section + "accumulated plastic strain, last state"
                   + ("\n" + "; ".join(drawn) if drawn else ""), fontsize=9)
    for axm in (ax_c, ax_p):
        axm.set_aspect("equal")
        axm.set_xlabel(f"x ({name})")
        axm.set_ylabel(f"y ({name})")


def _centroid_triangulation(
    x: np.ndarray, y: np.ndarray, size: np.ndarray, dim: int,
) -> mtri.Triangulation:
    """Delaunay triangles between cell centroids, without those spanning more than a few
    cells (``size``: cell areas or volumes in the same unit): they would bridge a notch or fill
    the convex hull beyond a concave boundary."""
    mesh = mtri.Triangulation(x, y)
    h = (math.factorial(dim) * size) ** (1.0 / dim)
    corners = np.stack([x[mesh.triangles], y[mesh.triangles]], axis=-1)
    edges = np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=-1)
    mesh.set_mask(edges.max(axis=1) > 3.0 * h[mesh.triangles].max(axis=1))
    return mesh


def length_unit(coords: np.ndarray) -> tuple[float, str]:
    """(factor from m, name) of the length unit a map of the points ``coords`` (n, ≥ 2), m,
    reads best in: the largest of mm, µm and nm in which the in-plane span is at least 1."""
    span = float(np.ptp(coords[:, :2], axis=0).max()) if coords.size else 0.0
    for factor, name in ((1e3, "mm"), (1e6, "µm")):
        if span * factor >= 1.0:
            return factor, name
    return 1e9, "nm"


def plastic_zone_view(
    x: np.ndarray, y: np.ndarray, plastic: np.ndarray,
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Limits of a view on the cells with at least a tenth of the largest plastic strain,
    padded by a quarter of the zone's size; None when that is no smaller than half the
    specimen (nothing to zoom into) or nothing flowed."""
    if not plastic.size or plastic.max() <= 0.0:
        return None
    zone = plastic >= 0.1 * plastic.max()
    lo = np.array([x[zone].min(), y[zone].min()])
    hi = np.array([x[zone].max(), y[zone].max()])
    pad = 0.25 * max(hi - lo) + 1e-9
    lo = np.maximum(lo - pad, [x.min(), y.min()])
    hi = np.minimum(hi + pad, [x.max(), y.max()])
    if np.prod(hi - lo) > 0.5 * np.ptp(x) * np.ptp(y):
        return None
    return (lo[0], hi[0]), (lo[1], hi[1])
