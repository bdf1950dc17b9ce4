"""calibration/nanoslab/rate_gap.py (the calibrated glass from laboratory to MD rates) runs,
and its curves obey the law's limits: flow at the STZ yield stress s_y where thermal activation
carries the rate, and strength rising with rate."""

import importlib.util
import itertools
from pathlib import Path

import pytest

from stz_fem import material

SCRIPT = Path(__file__).parents[2] / "calibration" / "nanoslab" / "rate_gap.py"


def test_calibrated_glass_flows_at_s_y_at_laboratory_rates_and_strengthens_at_md_rates(tmp_path):
    spec = importlib.util.spec_from_file_location("rate_gap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.main(["--out", str(tmp_path / "gap.png")])
    s_y = material.load(SCRIPT.parents[1] / "cuzr_md" / "fit" / "material.toml").s_y
    rates = sorted(summary)
    assert summary[rates[0]]["flow_Pa"] == pytest.approx(s_y, rel=1e-3)
    peaks = [summary[r]["peak_Pa"] for r in rates]
    assert all(b >= a * (1 - 1e-9) for a, b in itertools.pairwise(peaks))
    assert peaks[-1] > 1.5 * s_y
    assert (tmp_path / "gap.png").stat().st_size > 0
