"""Band measures recomputed from a finished run's files equal the ones the run reported."""

from pathlib import Path

import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.cli import main
from stz_fem.errors import InputError
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
