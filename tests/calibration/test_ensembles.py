"""Replica ensembles of held-out curves: grouping by condition, the mean's error and the
replicas' scatter (stz_fem.calibration.ensembles), and report.json's per-condition scores."""

from types import SimpleNamespace

import numpy as np
import pytest

from stz_fem.calibration.calibrate import _scores
from stz_fem.calibration.config import CurveSpec
from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.ensembles import replica_groups, replica_mean

STRAIN = np.linspace(0.001, 0.25, 250)
TRUTH = 1.5e9 * np.tanh(STRAIN / 0.05)  # Pa


def _curve(stress, glass="q1e14", T=50.0, rate=1e10, strain=STRAIN, path="a.csv"):
    spec = CurveSpec(path=path, strain_column="g", stress_column="s", loading="simple-shear",
                     rate=rate, temperature=T, glass=glass)
    return DataCurve(spec, strain, stress)


def test_replicas_are_curves_of_one_glass_loading_rate_and_temperature():
    curves = [_curve(TRUTH), _curve(TRUTH, T=500.0), _curve(TRUTH), _curve(TRUTH, rate=3e10),
              _curve(TRUTH, T=500.0), _curve(TRUTH, glass=None), _curve(TRUTH, glass=None),
              _curve(TRUTH, glass="q1e13")]
    assert replica_groups(curves) == [(0, 2), (1, 4)]


def test_mean_of_noisy_replicas_beats_each_replica_by_root_n():
    """Replicas = truth + independent noise σ: a perfect model misses one replica by σ and
    their mean by σ/√n; the scatter estimates σ."""
    rng = np.random.default_rng(1)
    sigma, n = 0.1e9, 8
    curves = [_curve(TRUTH + sigma * rng.standard_normal(STRAIN.size)) for _ in range(n)]
    models = [TRUTH.copy() for _ in range(n)]
    ens = replica_mean(curves, models, tuple(range(n)))
    peak = ens.curve.peak
    assert ens.curve.spec.path.name == "q1e14: mean of 8 replicas"  # its figure title
    assert ens.scatter == pytest.approx(sigma / peak, rel=0.05)
    assert ens.standard_error == pytest.approx(sigma / peak / np.sqrt(n), rel=0.05)
    rms_mean = np.sqrt(np.mean((ens.model - ens.curve.stress) ** 2)) / peak
    assert rms_mean == pytest.approx(sigma / peak / np.sqrt(n), rel=0.15)
    np.testing.assert_allclose(ens.model, TRUTH, rtol=1e-12)


def test_replicas_on_other_strain_grids_meet_on_the_common_range():
    short = np.linspace(0.0005, 0.2, 400)
    curves = [_curve(TRUTH), _curve(1.5e9 * np.tanh(short / 0.05), strain=short)]
    models = [TRUTH + 1e8, 1.5e9 * np.tanh(short / 0.05) + 1e8]
    ens = replica_mean(curves, models, (0, 1))
    assert ens.curve.strain.min() >= 0.001 and ens.curve.strain.max() <= 0.2
    np.testing.assert_allclose(ens.model - ens.curve.stress, 1e8, rtol=1e-6)
    assert ens.scatter < 1e-3


def test_report_scores_each_condition_once():
    """Two replicas missing by +0.2 and −0.2 GPa about the truth: each is off, their mean is
    not, and the condition's score is the mean's, with the members' scores beside it."""
    shift = 0.2e9
    held = [_curve(TRUTH + shift, path="r1.csv"), _curve(TRUTH - shift, path="r2.csv"),
            _curve(TRUTH + 0.1e9, T=500.0, path="lone.csv")]
    models = [TRUTH.copy(), TRUTH.copy(), TRUTH.copy()]
    config = SimpleNamespace(analyses=SimpleNamespace(flow_window=0.05))  # all _scores reads
    scores = _scores(config, ([], []), (held, models))
    by_curve = [v["rms_relative_to_peak"] for v in scores["validation"]]
    conditions = scores["validation_conditions"]
    assert [c["replicas"] for c in conditions] == [1, 2]
    lone, pair = conditions
    assert lone["path"] == "lone.csv" and lone["rms_relative_to_peak"] == by_curve[2]
    assert pair["members"] == ["r1.csv", "r2.csv"]
    assert pair["member_rms_relative_to_peak"] == by_curve[:2]
    assert pair["rms_relative_to_peak"] < 1e-12 < min(by_curve[:2])
    assert pair["replica_scatter_relative_to_peak"] == pytest.approx(
        np.sqrt(2) * shift / TRUTH.max(), rel=1e-9)
    assert scores["validation_max_rms_relative_to_peak_by_condition"] == by_curve[2]
