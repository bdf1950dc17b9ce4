"""Reading a finished (or interrupted) run directory: summary, curve and field frames.

``band_measures_from_files`` recomputes the docs/model.md §6 measures from the cell data that
``fields.pvd`` holds, so a run can be re-analysed in ParaView's absence or after the fact.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from stz_fem.errors import InputError
from stz_fem.postprocess.band_measures import band_measures


def read_summary(run: str | Path) -> dict:
    path = Path(run) / "summary.json"
    if not path.is_file():
        raise InputError(f"{run}: no summary.json (not a stz-fem run directory)")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not a readable summary ({err}); a killed run leaves the "
                         "previous one, so this file was changed by hand") from None
    if not isinstance(summary, dict) or "case" not in summary:
        raise InputError(f"{path}: not a stz-fem summary (no 'case')")
    return summary


def frames(run: str | Path) -> list[tuple[float, Path]]:
    """(time in s, .pvtu path) of every field output listed in fields.pvd."""
    pvd = Path(run) / "fields.pvd"
    if not pvd.is_file():
        raise InputError(f"{run}: no fields.pvd (was output.fields false?)")
    try:
        root = ET.parse(pvd).getroot()
    except ET.ParseError as err:
        raise InputError(f"{pvd}: not a readable ParaView collection ({err})") from None
    return [(float(d.get("timestep")), pvd.parent / d.get("file"))
            for d in root.iter("DataSet")]


def frame_of(run: str | Path, index: int) -> tuple[float, Path]:
    """(time in s, .pvtu path) of field output ``index`` (negative: from the last)."""
    listed = frames(run)
    try:
        return listed[index]
    except IndexError:
        raise InputError(f"frame {index}: the run has {len(listed)} field outputs") from None


def _array(node: ET.Element) -> np.ndarray:
    if node.get("format", "ascii") != "ascii":
        raise InputError(f"{node.get('Name')}: only ASCII VTU data (as DOLFINx writes) is read")
    values = np.array(node.text.split(), dtype=float)
    width = int(node.get("NumberOfComponents", "1"))
    return values.reshape(-1, width) if width > 1 else values


def read_piece(vtu: Path) -> dict[str, np.ndarray]:
    """Cell centroids (m), sizes (m² or m³) and cell data of one DOLFINx VTU piece.

    meshio does not read the VTU version (2.2) that DOLFINx writes for higher-order cells.
    Lagrange cells list their corner nodes first, which is all the centroid and size need.
    """
    piece = ET.parse(vtu).getroot().find("UnstructuredGrid/Piece")
    points = _array(piece.find("Points/DataArray"))
    cells = {a.get("Name"): _array(a) for a in piece.find("Cells")}
    offsets = cells["offsets"].astype(int)
    connectivity = cells["connectivity"].astype(int)
    dim = 3 if np.ptp(points[:, 2]) > 0 else 2
    starts = np.concatenate([[0], offsets[:-1]])
    corners = points[connectivity[starts[:, None] + np.arange(dim + 1)]]
    edges = corners[:, 1:] - corners[:, :1]
    if dim == 2:
        size = 0.5 * np.abs(edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0])
    else:
        size = np.abs(np.linalg.det(edges)) / 6.0
    cell_data = piece.find("CellData")
    data = {a.get("Name"): _array(a) for a in ([] if cell_data is None else cell_data)}
    return {"coords": corners.mean(axis=1)[:, :dim], "volume": size, **data}


def read_cells(pvtu: Path) -> dict[str, np.ndarray]:
    """``read_piece`` over all pieces (ranks) of one frame."""
    sources = [pvtu.parent / p.get("Source") for p in ET.parse(pvtu).getroot().iter("Piece")]
    parts = [read_piece(source) for source in sources]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def band_measures_from_files(run: str | Path, frame: int = -1) -> dict:
    """Band measures (docs/model.md §6) of one field output of a run (default: the last)."""
    summary = read_summary(run)
    time, pvtu = frame_of(run, frame)
    cells = read_cells(pvtu)
    period = summary.get("period_m")
    measures = band_measures(
        cells["coords"], cells["volume"], cells["D_per_s"], cells["dissipation"],
        cells["plastic_strain"], cells["chi_K"], summary.get("loading_axis", 0),
        period=tuple(period) if period else None,
    )
    return {"time_s": time, **measures}
