"""Field-level calibration (stz-fem calibrate-fields): configuration errors, the GP/EI search,
the objective parts on synthetic fields, and a tiny real FE-cell evaluation."""

import json
from pathlib import Path

import numpy as np
import pytest

from stz_fem.calibration import bayes
from stz_fem.calibration.field_config import load_field_config
from stz_fem.calibration.field_objective import (
    combine,
    map_u0,
    periodic_distance,
    sample_on_grid,
    score_frame,
)
from stz_fem.calibration.md_frames import frame_figures, stress_figure
from stz_fem.errors import InputError

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "kontolati2021" / "fields_frames_0_100.npz"
H = 40e-9  # m, the Kontolati cell
N = 32


def _band_map(centre: float, width: float = 5e-9, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian band along x at height ``centre`` (m) on an n × n grid of the 40 nm cell."""
    y = (np.arange(n) + 0.5) * H / n
    d = (y - centre + H / 2) % H - H / 2
    profile = 0.05 + np.exp(-0.5 * (d / width) ** 2)
    return np.repeat(profile[:, None], n, axis=1), y


def _data(tmp_path: Path, strain: float = 0.02) -> None:
    """A small MD data set: the fixture's frame-0 energy and a band at y = 20 nm."""
    with np.load(FIXTURE) as d:
        x, y, energy = d["x_m"], d["y_m"], d["potential_energy_eV"][0]
    band, _ = _band_map(20e-9)
    np.savez(tmp_path / "md.npz", x_m=x, y_m=y, nominal_shear_strain=np.array([0.0, strain]),
             potential_energy_eV=np.stack([energy, energy]),
             shear_strain=np.stack([np.zeros_like(band), strain * band]))
    gamma = np.linspace(0.0, strain, 21)
    stress = np.minimum(20e9 * gamma, 0.3e9)
    (tmp_path / "curve.csv").write_text("nominal_shear_strain,shear_stress_Pa\n" + "".join(
        f"{g},{s}\n" for g, s in zip(gamma, stress, strict=True)))


CONFIG = """[material]
preset = "cu50zr50"
pe_beta = 8.0
pe_u0 = -3.3625
{material}
[free.chi0]
bounds = [300.0, 600.0]
[free.s_y]
bounds = [0.6e9, 1.2e9]
{free}
[data]
fields = "md.npz"
curve = "curve.csv"
frames = [1]
{data}
[cell]
mesh_size = 10e-9
degree = 1
max_wall_time = 60.0
[search]
workers = 1
candidates = 256
{search}
"""


def _config(tmp_path: Path, **parts: str) -> Path:
    _data(tmp_path)
    parts = {"search": "design = 2\nevaluations = 3"} | parts
    text = CONFIG.format(**{k: parts.get(k, "") for k in ("material", "free", "data", "search")})
    path = tmp_path / "fields.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("parts", "says"), [
    ({"free": "[free.pe_u0]\nbounds = [-3.37, -3.35]"}, "free.pe_u0"),
    ({"free": "[free.l_chi]\nbounds = [2e-9, 1e-9]"}, "free.l_chi"),
    ({"free": "[free.steel]\nbounds = [1.0, 2.0]"}, "free.steel"),
    ({"search": "design = 4\nevaluations = 3"}, "search.evaluations"),
    ({"search": "workrs = 2"}, "search.workrs"),
    ({"data": 'strain_key = ""'}, "data.strain_key"),
    ({"material": "pe_vibration = -1.0"}, "material.pe_vibration"),
])
def test_bad_configuration_is_one_line_naming_the_key(tmp_path, parts, says):
    with pytest.raises(InputError) as err:
        load_field_config(_config(tmp_path, **parts))
    assert says in str(err.value) and "\n" not in str(err.value)


def test_missing_data_file_and_empty_frames(tmp_path):
    path = _config(tmp_path)
    path.write_text(path.read_text().replace('fields = "md.npz"', 'fields = "none.npz"'))
    with pytest.raises(InputError, match=r"data.fields.*no such file"):
        load_field_config(path)
    path.write_text(path.read_text().replace('"none.npz"', '"md.npz"').replace(
        "frames = [1]", "frames = []"))
    with pytest.raises(InputError, match=r"data\.frames"):
        load_field_config(path)


def test_free_beta_needs_a_map_to_start_from(tmp_path):
    path = _config(tmp_path, free="[free.pe_beta]\nbounds = [2.0, 12.0]")
    path.write_text(path.read_text().replace("pe_beta = 8.0\npe_u0 = -3.3625\n", ""))
    with pytest.raises(InputError, match=r"free\.pe_beta"):
        load_field_config(path)


def test_gp_ei_finds_the_minimum_of_a_quadratic_in_few_evaluations():
    calls = []

    def batch(points):
        calls.append(len(points))
        return [float((p[0] - 0.3) ** 2 + 2.0 * (p[1] + 0.5) ** 2) for p in points]

    search = bayes.minimize(batch, [-2.0, -2.0], [2.0, 2.0], design=6, budget=16, batch=2,
                            seed=0, candidates=512)
    assert len(search.values) == 16 and sum(calls) == 16
    assert search.phases.count("design") == 6 and search.stopped == "budget"
    # the box's values span 0 … 22; the design alone reaches ~0.3
    assert search.values[search.best] < 0.02
    assert np.allclose(search.points[search.best], [0.3, -0.5], atol=0.15)
    assert search.length_scales is not None and search.length_scales.shape == (2,)
    assert np.all(np.diff(search.best_so_far()) <= 0.0)


def test_failed_evaluations_steer_the_search_and_are_not_best():
    def batch(points):
        return [float("nan") if p[0] > 0.5 else float((p[0] + 0.2) ** 2) for p in points]

    search = bayes.minimize(batch, [-1.0], [1.0], design=4, budget=10, batch=2, seed=1,
                            candidates=256)
    assert np.isfinite(search.values[search.best])
    assert abs(search.points[search.best][0] + 0.2) < 0.1


def test_a_band_moved_by_k_cells_gives_centre_error_k_dx():
    dx = H / N
    md, y = _band_map(y0 := (10 + 0.5) * dx)
    for k in (0, 1, 3, -5):
        fe, _ = _band_map(y0 + k * dx)
        score = score_frame(100, fe, md, y, H)
        assert score.centre_error == pytest.approx(abs(k) * dx, abs=1e-3 * dx)
        assert score.width_error == pytest.approx(0.0, abs=1e-6)
    # across the periodic boundary: 2 cells below y = 0 is 2 cells away
    fe, _ = _band_map(y0 - 12 * dx)
    assert periodic_distance(score_frame(1, fe, md, y, H).fe_centre, y0, H) == pytest.approx(
        12 * dx, abs=1e-3 * dx)


def test_identical_maps_give_r_one_and_a_zero_objective():
    md, y = _band_map(22e-9)
    md = md + 0.01 * np.random.default_rng(0).standard_normal(md.shape)
    score = score_frame(100, md.copy(), md, y, H)
    assert score.correlation == pytest.approx(1.0)
    scales = {"centre": 2.5e-9, "width": 0.25, "correlation": 0.15, "stress": 0.05}
    weights = dict.fromkeys(scales, 1.0)
    total, parts = combine([score], 0.0, scales, weights)
    assert total == pytest.approx(0.0, abs=1e-12)
    # a part equals (error/scale)²: a 2.5 nm centre error and 5 % stress RMS count one each
    moved = score_frame(100, _band_map(22e-9 + 2.5e-9)[0], _band_map(22e-9)[0], y, H)
    total, parts = combine([moved], 0.05, scales, weights)
    assert parts["centre"] == pytest.approx(1.0, rel=1e-3)
    assert parts["stress"] == pytest.approx(1.0)


def test_sample_on_grid_bins_fine_cells_and_fills_from_coarse_ones():
    x = y = (np.arange(4) + 0.5) / 4
    fine = np.array([(a, b) for b in (np.arange(8) + 0.5) / 8 for a in (np.arange(8) + 0.5) / 8])
    values = fine[:, 1] * 10.0
    grid = sample_on_grid(fine, np.ones(len(fine)), values, x, y)
    assert np.allclose(grid, (y * 10.0)[:, None])
    coarse = np.array([[0.25, 0.25], [0.75, 0.75]])
    grid = sample_on_grid(coarse, np.ones(2), np.array([1.0, 2.0]), x, y)
    assert grid[0, 0] == 1.0 and grid[3, 3] == 2.0 and set(np.unique(grid)) == {1.0, 2.0}


def test_map_u0_gives_the_asked_mean():
    energy = -3.36 + 1e-3 * np.random.default_rng(1).standard_normal((8, 8))
    u0 = map_u0(energy, 6.0, 450.0, 21000.0, 100.0, 1.5)
    chi = 6.0 * (energy - 1.5 * 8.617333262e-5 * 100.0 - u0) * 21000.0
    assert chi.mean() == pytest.approx(450.0, rel=1e-9)


def test_band_level_half_is_the_standard_measure_and_variants_give_uncertainties():
    from stz_fem.atomistic.grid_band import band_across_y

    md, y = _band_map(21e-9, 6e-9)
    standard = band_across_y(md, y, H)
    half = band_across_y(md, y, H, level=0.5)
    assert half.centre == pytest.approx(standard.centre) and half.width == pytest.approx(
        standard.width)
    assert band_across_y(md, y, H, level=0.4).width > half.width > band_across_y(
        md, y, H, level=0.6).width
    fe, _ = _band_map(24e-9, 4e-9)
    figures = frame_figures(fe, [md, _band_map(21.5e-9, 6e-9)[0]], y, H)
    assert figures["value"]["centre_error_m"] == pytest.approx(3e-9, abs=0.1e-9)
    # at least the neighbour frame's 0.5 nm shift, at most half a coarse (2.5 nm) cell
    assert 0.49e-9 <= figures["uncertainty"]["centre_error_m"] <= 1.25e-9
    assert figures["uncertainty"]["correlation"] > 0.0
    same = frame_figures(md, [md], y, H)
    assert same["value"]["correlation"] == pytest.approx(1.0)
    gamma = np.linspace(0, 0.5, 101)
    md_stress = np.sin(gamma * 6) + 0.01 * np.random.default_rng(2).standard_normal(101)
    stress = stress_figure(gamma, np.sin(gamma * 6), gamma, md_stress)
    assert 0.0 < stress["uncertainty"] < stress["value"] < 0.02


def test_one_real_cell_evaluation(tmp_path):
    """A coarse cell (10 nm P1 elements) to γ = 0.02 with χ₀ mapped from the fixture's energy:
    the evaluation completes and scores every part."""
    from stz_fem.calibration.field_cell import CellEvaluation, material_of, read_md

    config = load_field_config(_config(tmp_path))
    md = read_md(config)
    record = CellEvaluation(config, md)(np.array([450.0, 0.85e9]))
    assert record["status"] == "completed", record
    assert set(record["parts"]) == {"centre", "width", "correlation", "stress"}
    assert np.isfinite(record["objective"]) and record["objective"] > 0.0
    assert record["frames"][0]["fe_nominal_strain"] == pytest.approx(0.02, rel=1e-6)
    params = material_of(config, md, np.array([450.0, 0.85e9]))
    assert params.chi_of_energy(float(md.energy.mean())) == pytest.approx(450.0, rel=1e-6)
    # a point whose map gives χ ≤ 0 somewhere fails without raising
    bad = CellEvaluation(config, md)(np.array([1.0, 0.85e9]))
    assert bad["status"].startswith("failed") and np.isnan(bad["objective"])


def test_calibrate_fields_command_writes_a_loadable_material(tmp_path, capsys):
    from stz_fem.cli import main
    from stz_fem.material import load

    path = _config(tmp_path)
    assert main(["calibrate-fields", str(path), "--out", str(tmp_path / "fit")]) == 0
    report = json.loads((tmp_path / "fit" / "report.json").read_text())
    assert report["evaluations"] == 3 and report["stopped"] == "budget"
    assert report["fitted_frames"] == [1] and set(report["gp_length_scales"]) == {"chi0", "s_y"}
    best = report["best"]
    fitted = load(tmp_path / "fit" / "material.toml")
    assert fitted.chi0 == pytest.approx(best["values"]["chi0"])
    assert fitted.pe_u0 == pytest.approx(best["pe_u0"])
    assert (tmp_path / "fit" / "convergence.png").is_file()
    assert "best of 3 cells" in capsys.readouterr().out
