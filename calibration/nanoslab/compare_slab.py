"""The notched nanoslab's FE twin (cases/cuzr_notched_nanoslab.toml) against its MD run.

Reads the coarse-grained MD (calibration/data/nanoslab: fields.npz, force_strain.csv,
record.json) and a finished FE run, and writes ``comparison.json`` and ``comparison.png``
(MD von Mises local shear strain beside the FE accumulated plastic strain at three strains,
and the two force curves) to ``--out``:

    stz-fem run cases/cuzr_notched_nanoslab.toml --out results/nanoslab_fe
    python calibration/nanoslab/compare_slab.py results/nanoslab_fe --out calibration/nanoslab
"""

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from stz_fem.atomistic.grid_fields import read_grid_fields
from stz_fem.calibration import slab_comparison as sc
from stz_fem.material_point import read_curve

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "calibration" / "data" / "nanoslab"
ANGSTROM = 1e-10
ROOT_RADIUS = 2e-9  # m, disc about each notch root in which band activity is measured
MD_KEY, FE_KEY = "shear_strain", "plastic_strain"


def notch_roots(record: dict) -> np.ndarray:
    """Deepest points of the two notches (m) in the grid's frame (slab corner at strain 0)."""
    depth = record["variables"]["notch_depth"] * ANGSTROM
    width, mid = record["lx0_A"] * ANGSTROM, 0.5 * record["ly0_A"] * ANGSTROM
    return np.array([[depth, mid], [width - depth, mid]])


def side_measures(maps: np.ndarray, strains: np.ndarray, x, y, roots) -> dict:
    """Band birth (the first frame at which the more active root reaches a quarter of its final
    activity), the root it starts from there, and the arm angles at the last frame."""
    activity = np.array([sc.root_activity(m, x, y, roots, ROOT_RADIUS) for m in maps])
    birth = sc.birth_frame(activity)
    arms = sc.arm_angles(maps[-1], x, y, roots, roots[:, 0].mean())
    return {"band_birth_strain": float(strains[birth]),
            "root_activity_left_right": activity[birth].tolist(),
            "band_start_root": sc.start_side(activity[birth]),
            "arm_angles_deg": arms.tolist(), "band_angle_deg": float(arms.mean())}


def compare(run: Path, md: Path) -> tuple[dict, dict]:
    grid = read_grid_fields(md / "fields.npz")
    record = json.loads((md / "record.json").read_text())
    x, y, strains = grid.x_m, grid.y_m, grid.frames["nominal_strain"]
    curve = np.genfromtxt(md / "force_strain.csv", delimiter=",", names=True)
    md_peak = sc.peak(curve["engineering_strain"], curve["nominal_stress_Pa"])
    fe_curve = read_curve(run / "curve.csv")
    fe_peak = sc.peak(fe_curve["nominal_strain"], fe_curve["mean_stress_Pa"])
    md_maps = grid.field(MD_KEY).astype(float)
    fe_maps, fe_strains = sc.fe_on_grid(run, x, y, strains, FE_KEY)
    roots = notch_roots(record)
    md_side = side_measures(md_maps, strains, x, y, roots)
    fe_side = side_measures(fe_maps, fe_strains, x, y, roots)
    maps = [{"md_strain": float(s), "fe_strain": float(f),
             "pearson_md_shear_strain_fe_plastic": sc.map_correlation(m, e),
             "pearson_md_d2min_fe_plastic": sc.map_correlation(d, e)}
            for s, f, m, e, d in zip(strains, fe_strains, md_maps, fe_maps,
                                     grid.field("d2min_A2"), strict=True) if s > 0.0]
    result = {
        "md": {**md_peak, **md_side},
        "fe": {**fe_peak, **fe_side, "run": run.name},
        "maps": maps,
        "targets": {
            "band_start_root_agrees": md_side["band_start_root"] == fe_side["band_start_root"],
            "angle_difference_deg": fe_side["band_angle_deg"] - md_side["band_angle_deg"],
            "peak_stress_relative": fe_peak["peak_stress_Pa"] / md_peak["peak_stress_Pa"] - 1,
            "onset_strain_relative": fe_peak["peak_strain"] / md_peak["peak_strain"] - 1,
            "band_birth_strain_relative": (fe_side["band_birth_strain"]
                                           / md_side["band_birth_strain"] - 1),
            "final_map_pearson": maps[-1]["pearson_md_shear_strain_fe_plastic"],
        },
    }
    arrays = {"x": x, "y": y, "strains": strains, "md": md_maps, "fe": fe_maps,
              "md_curve": (curve["engineering_strain"], curve["nominal_stress_Pa"]),
              "fe_curve": (fe_curve["nominal_strain"], fe_curve["mean_stress_Pa"])}
    return result, arrays


def figure(arrays: dict, result: dict, path: Path) -> None:
    """MD and FE maps side by side at the MD peak, halfway to the end and at the end, and the
    two nominal stress curves."""
    strains = arrays["strains"]
    peak = int(np.argmin(np.abs(strains - result["md"]["peak_strain"])))
    picks = [peak, (peak + len(strains) - 1) // 2, len(strains) - 1]
    fig, axes = plt.subplots(2, 4, figsize=(13, 6.5), layout="constrained")
    x, y = arrays["x"], arrays["y"]
    extent = [0, (x[-1] + x[0]) * 1e9, 0, (y[-1] + y[0]) * 1e9]  # cell-centred from 0
    for row, (key, label) in enumerate((("md", "MD η (von Mises)"),
                                        ("fe", "FE plastic strain"))):
        for col, k in enumerate(picks):
            ax = axes[row, col]
            image = ax.imshow(arrays[key][k], origin="lower", extent=extent, cmap="magma")
            ax.set_title(f"{label}, strain {strains[k]:.2f}", fontsize=9)
            ax.set_xlabel("x (nm)")
            fig.colorbar(image, ax=ax, shrink=0.8)
        axes[row, 0].set_ylabel("y (nm), loading axis")
    ax = axes[0, 3]
    for key, label in (("md_curve", "MD"), ("fe_curve", "FE")):
        strain, stress = arrays[key]
        ax.plot(strain, stress / 1e9, label=label)
    ax.set_xlabel("nominal strain")
    ax.set_ylabel("nominal stress (GPa)")
    ax.legend()
    pearson = [m["pearson_md_shear_strain_fe_plastic"] for m in result["maps"]]
    axes[1, 3].plot([m["md_strain"] for m in result["maps"]], pearson, "o-")
    axes[1, 3].set_xlabel("nominal strain")
    axes[1, 3].set_ylabel("map correlation (Pearson)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="finished FE run folder")
    parser.add_argument("--md", type=Path, default=MD, help="coarse-grained MD folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result, arrays = compare(args.run, args.md)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "comparison.json").write_text(json.dumps(result, indent=1))
    figure(arrays, result, args.out / "comparison.png")
    print(json.dumps(result["targets"], indent=1))


if __name__ == "__main__":
    main()
