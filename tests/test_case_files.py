"""Every shipped case file passes validation (a schema change must keep them loadable)."""

from pathlib import Path

import pytest

from stz_fem.cases import read_case
from stz_fem.specimens import load_case

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted([*ROOT.glob("cases/*.toml"), *ROOT.glob("calibration/cuzr/*cell.toml")])


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_shipped_case_validates(path):
    specimen = load_case(read_case(path))
    assert specimen.end_time > 0.0


def test_case_files_were_found():
    assert len(CASES) >= 5
