"""Band measures recomputed from a finished run's files equal the ones the run reported; the
run files hold no NaN or Infinity."""

from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.cli import main
from stz_fem.errors import InputError
from stz_fem.material_point import read_curve
from stz_fem.results import band_measures_from_files, frames
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml"


@pytest.fixture(scope="module")
def strip_run(tmp_path_factory):
    """A coarse strip run with three field outputs: (directory, summary)."""
    out = tmp_path_factory.mktemp("strip")
    data = read_case(CASE, ["mesh.size=4e-3", "loading.end_strain=0.08", "output.interval=0.04"])
    with Simulation(data, out, MPI.COMM_SELF) as sim:
        return out, sim.run(progress=False)


def test_measures_from_files_match_the_run(strip_run):
    run, summary = strip_run
    assert len(frames(run)) == len(summary["band_history"]) == 3
    from_files = band_measures_from_files(run)
    reported = summary["band_history"][-1]
    assert reported["localization_index"] > 0.0  # plastic flow, not the elastic state
    for key in ("localization_index", "orientation_deg", "width_m", "width_chi_m"):
        assert from_files[key] == pytest.approx(reported[key], rel=1e-9)


def test_plot_of_a_field_output(strip_run, capsys):
    run, _ = strip_run
    assert main(["plot", str(run), "--frame", "1"]) == 0
    assert (run / "run_frame1.png").stat().st_size > 20_000
    assert "nominal strain 0.04" in capsys.readouterr().out
    assert main(["plot", str(run), "--frame", "7"]) == 2
    assert capsys.readouterr().err.strip() == (
        "stz-fem: error: frame 7: the run has 3 field outputs")


def test_not_a_run_directory(tmp_path):
    with pytest.raises(InputError, match=r"no summary\.json"):
        band_measures_from_files(tmp_path)


def test_outputs_hold_no_nan_or_infinity(tmp_path):
    """curve.csv and summary.json of a run (here one stopped early, the summary's bands then
    partly undefined) hold finite numbers or null, never NaN or Infinity (which is not JSON),
    and nothing temporary is left beside them."""
    import json
    import math

    out = tmp_path / "run"
    (tmp_path / "run").mkdir()
    (out / "checkpoint.123.tmp.npz").write_bytes(b"left by a killed run")
    assert main(["run", str(CASE), "--out", str(out), "--quiet", "--set", "mesh.size=4e-3",
                 "--set", "solver.max_steps=4"]) == 4

    def refuse(token):
        raise AssertionError(f"summary.json holds {token}")

    summary = json.loads((out / "summary.json").read_text(), parse_constant=refuse)
    assert summary["status"] == "stopped"
    curve = read_curve(out / "curve.csv")
    assert all(np.isfinite(values).all() for values in curve.values())
    text = (out / "curve.csv").read_text().lower()
    assert "nan" not in text and "inf" not in text
    assert not list(out.glob("*.tmp*"))
    assert math.isfinite(summary["wall_time_s"])
