"""``stz-fem compare-md``: a finished finite-element run against gridded MD fields and the MD
stress curve, frame by frame, each figure with its measurement uncertainty (``md_frames``);
writes ``comparison.json`` and ``comparison.png``."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stz_fem.errors import InputError

UNCERTAINTY_METHOD = (
    "largest change of each figure over band levels 0.4/0.5/0.6 of the profile's range, "
    "the MD grid or its 2x2 block means, and MD frames k-1, k, k+1; stress RMS: raw MD "
    "curve vs its {smooth}-sample running mean (stz_fem/calibration/md_frames.py)")


def ran_material(run: str | Path, material_file: str | Path | None) -> str | None:
    """``material_file`` after checking that the run's material is the file's (a run's
    summary records the parameters, not the file); None when not given.

    Raises:
        InputError: a parameter of the file differs from the run's.
    """
    if material_file is None:
        return None
    from stz_fem.material import load
    from stz_fem.results import read_summary

    ran = read_summary(run)["case"]["material"]
    given = load(material_file)
    differ = [k for k, v in ran.items() if isinstance(v, float) and not math.isclose(
        v, getattr(given, k), rel_tol=1e-9, abs_tol=1e-300)]
    if differ:
        raise InputError(f"--material-file {material_file}: the run's material differs in "
                         f"{', '.join(differ)}")
    return str(material_file)


def compare_md(run: str | Path, fields_path: str | Path, frame: int, out: Path, *,
               key: str = "shear_strain", fe_key: str = "shear_strain",
               more_frames: Sequence[int] = (), fitted_frames: Sequence[int] = (),
               material_file: str | Path | None = None, curve: str | Path | None = None,
               strain_column: str = "nominal_shear_strain",
               stress_column: str = "shear_stress_Pa") -> dict[str, Any]:
    """Compare ``run`` with MD frame ``frame`` (the headline figures and the figure) and
    ``more_frames``; ``fitted_frames`` marks the frames a calibration fitted. Lengths in m,
    stresses in Pa, the stress RMS relative to the MD peak."""
    from stz_fem.atomistic.grid_fields import read_grid_fields
    from stz_fem.atomistic.table import Table
    from stz_fem.calibration import md_comparison, md_frames
    from stz_fem.calibration.plots import plot_md_comparison
    from stz_fem.material_point import read_curve

    grid = read_grid_fields(fields_path)
    material = ran_material(run, material_file)
    fields = md_comparison.compare_fields(run, grid, key, frame, fe_key)
    result = {k: v for k, v in fields.items() if k not in ("md", "fe_on_grid")}
    fe = read_curve(Path(run) / "curve.csv")
    fe_curve = (fe["nominal_strain"], fe["mean_stress_Pa"])
    md_curve = None
    if curve:
        if not Path(curve).is_file():
            raise InputError(f"--curve {curve}: no such file")
        table = Table(str(curve), read_curve(curve))
        md_curve = (table[strain_column], table[stress_column])
        result.update(md_comparison.compare_curves(run, *md_curve))
        result["stress_rms_uncertainty"] = md_frames.stress_figure(*fe_curve, *md_curve)[
            "uncertainty"]
    maps = grid.field(key)
    count = len(maps)
    frame %= count
    fitted = {k % count for k in fitted_frames}
    result["frames"] = []
    for k in sorted({frame, *(k % count for k in more_frames)}):
        one = fields if k == frame else md_comparison.compare_fields(run, grid, key, k, fe_key)
        neighbours = [maps[j] for j in (k, k - 1, k + 1) if 0 <= j < count]
        figures = md_frames.frame_figures(one["fe_on_grid"], neighbours, grid.y_m,
                                          grid.period_m[1])
        result["frames"].append({
            "md_frame": k, "md_nominal_strain": one["md_nominal_strain"],
            "fe_nominal_strain": one["fe_nominal_strain"],
            "fitted": (k in fitted) if fitted_frames else None} | figures)
        if k == frame:
            result["uncertainty"] = figures["uncertainty"]
    result["uncertainty_method"] = UNCERTAINTY_METHOD.format(smooth=md_frames.SMOOTH)
    out.mkdir(parents=True, exist_ok=True)
    result.update(run=str(run), material_file=material, md_fields=str(fields_path),
                  md_key=key, fe_key=fe_key, md_curve=None if curve is None else str(curve),
                  fitted_frames=sorted(fitted) if fitted_frames else None)
    (out / "comparison.json").write_text(json.dumps(result, indent=2))
    plot_md_comparison(fields, grid.period_m, md_curve, fe_curve, key, out / "comparison.png")
    return result
