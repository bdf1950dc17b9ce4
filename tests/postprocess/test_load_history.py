"""A run's history (stz_fem.postprocess.load_history): onset of localization, first plastic
flow, load drops and peak stress."""

import numpy as np
import pytest

from stz_fem.postprocess.load_history import (
    first_flow,
    load_drops,
    localization_onset,
    peak_stress,
)


def test_onset_interpolates_first_crossing():
    loads = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05]
    values = [0.05, 0.2, 0.6, 0.4, 0.7, 0.9]
    assert localization_onset(loads, values) == pytest.approx(0.0175, rel=1e-12)
    assert localization_onset(loads, values, threshold=0.65) == pytest.approx(0.0383333333333)
    assert localization_onset(loads, values, threshold=0.95) is None
    assert localization_onset(loads, values, threshold=0.01) == 0.0
    assert localization_onset([1.0, 2.0, 3.0], [0.1, 0.5, 0.9]) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        localization_onset([0.0, 1.0], [0.1])


def test_onset_skips_samples_where_less_than_the_ranked_volume_flows():
    """A notch-root-like history: L = 1 while under 5 % of the volume flows (uninformative),
    then L falls as the flow spreads and rises through 0.5 as bands form."""
    loads = [0.0, 0.01, 0.02, 0.03, 0.04]
    level = [1.0, 1.0, 0.3, 0.4, 0.6]
    flowing = [0.001, 0.03, 0.2, 0.3, 0.3]
    assert localization_onset(loads, level) == 0.0  # docs/model.md's first crossing: first yield
    assert localization_onset(loads, level, flowing=flowing) == pytest.approx(0.035)
    # above 0.5 from the first informative sample to the end: that sample's load
    assert localization_onset(loads, [1.0, 1.0, 0.8, 0.7, 0.6], flowing=flowing) == 0.02
    # above 0.5 there, then diffuse: the spreading of a notch-root zone; the onset is the rise
    assert localization_onset(loads, [1.0, 1.0, 0.8, 0.4, 0.6], flowing=flowing) == \
        pytest.approx(0.035)
    assert localization_onset(loads, [1.0, 1.0, 0.8, 0.4, 0.45], flowing=flowing) is None
    # a gap in the informative samples: the load of the first sample above, no interpolation
    assert localization_onset(loads, [1.0, 1.0, 0.4, 0.1, 0.6],
                              flowing=[0.001, 0.03, 0.2, 0.01, 0.3]) == 0.04
    assert localization_onset(loads, level, flowing=[0.01] * 5) is None


def test_first_flow_is_the_first_sample_with_plastic_flow():
    assert first_flow([0.0, 0.0, 1e-12, 0.0, 3.0]) == 2
    assert first_flow([0.0, 0.0]) is None


def test_load_drops_are_falls_faster_than_the_loading_line_by_more_than_half_a_percent():
    """A fast fall resolved in small steps (0.4 % each) is one drop; a slow fall (softening:
    slower than the secant F/x) and a fast fall of 0.3 % are none."""
    x = np.array([0.0, 1.0, 2.0, 2.001, 2.002, 2.003, 3.0, 4.0, 4.001, 5.0]) * 1e-6
    force = np.array([0.0, 100.0, 200.0, 199.2, 198.4, 197.6, 190.0, 180.0, 179.5, 200.0])
    drops = load_drops({"deflection_m": x, "force_N_per_m": force}, "deflection_m",
                       "force_N_per_m")
    assert drops == [{"deflection_m": 2.003e-6, "relative_drop": pytest.approx(2.4 / 200.0)}]
    # compression: the magnitude counts
    assert load_drops({"x": -x, "f": -force}, "x", "f") == [
        {"x": -2.003e-6, "relative_drop": pytest.approx(2.4 / 200.0)}]


def test_peak_stress_is_the_nominal_stress_and_strain_at_a_sample():
    curve = {"nominal_strain": np.array([0.0, 0.01, 0.02]),
             "mean_stress_Pa": np.array([0.0, 1.5e9, 1.2e9])}
    assert peak_stress(curve, 1) == {"peak_nominal_stress_Pa": 1.5e9, "peak_nominal_strain": 0.01}
