"""Band measures recomputed from a finished run's files equal the ones the run reported."""

from pathlib import Path

import pytest
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.errors import InputError
from stz_fem.results import band_measures_from_files, frames
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml"


def test_measures_from_files_match_the_run(tmp_path):
    data = read_case(CASE, ["mesh.size=4e-3", "loading.end_strain=0.08", "output.interval=0.04"])
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        summary = sim.run(progress=False)
    assert len(frames(tmp_path)) == len(summary["band_history"]) == 3
    from_files = band_measures_from_files(tmp_path)
    reported = summary["band_history"][-1]
    assert reported["localization_index"] > 0.0  # plastic flow, not the elastic state
    for key in ("localization_index", "orientation_deg", "width_m", "width_chi_m"):
        assert from_files[key] == pytest.approx(reported[key], rel=1e-9)


def test_not_a_run_directory(tmp_path):
    with pytest.raises(InputError, match=r"no summary\.json"):
        band_measures_from_files(tmp_path)
