"""Loading slopes (stz_fem.calibration.loading_slope): the law's curve starts with G(T) at every
rate, a creeping law's does not, and replicas of a condition are pooled."""

import numpy as np
import pytest

from stz_fem import material
from stz_fem.calibration.config import CurveSpec
from stz_fem.calibration.curves import DataCurve
from stz_fem.calibration.loading_slope import loading_slope, loading_slopes
from stz_fem.errors import InputError
from stz_fem.material_point import Loading, StepLimits, run

STRAIN = np.linspace(0.0, 0.25, 251)


def _slope_of_law(params, rate, strain_max=0.02):
    curve = run(params, Loading(kind="simple-shear", rate=rate, strain=0.05), StepLimits())
    return loading_slope(curve["strain"], curve["stress_Pa"], strain_max)


def test_slope_of_a_noisy_line_with_an_offset():
    rng = np.random.default_rng(0)
    stress = 0.05e9 + 22e9 * STRAIN + 0.02e9 * rng.standard_normal(STRAIN.size)
    assert loading_slope(STRAIN, stress, 0.1) == pytest.approx(22e9, rel=0.01)
    with pytest.raises(InputError, match="fewer than 3 points"):
        loading_slope(STRAIN, stress, 0.0015)


def test_the_law_loads_with_g_of_t_at_every_rate():
    """Below s_y the law is elastic: the slope is G(T) = G + dG/dT (T − T_moduli), the same at
    1e9 and 3e10 1/s."""
    law = material.load("cu50zr50").replace(dG_dT=-1e7, T_moduli=100.0)
    for T in (100.0, 500.0):
        want = law.G - 1e7 * (T - 100.0)
        for rate in (1e9, 3e10):
            assert _slope_of_law(law.replace(T=T), rate) == pytest.approx(want, rel=1e-6)


def test_a_law_that_creeps_below_yield_loads_softer_at_lower_rates():
    """Without the athermal threshold (s_y = 0) and with a low barrier, STZs flow at any stress:
    the apparent modulus falls below G and falls further at a lower rate, as MD's does."""
    law = material.load("cu50zr50").replace(s_y=0.0, s_chi=1e9, Delta=6000.0, chi0=4000.0,
                                           T=500.0)
    slow, fast = _slope_of_law(law, 1e8), _slope_of_law(law, 1e10)
    assert slow < 0.9 * law.G and slow < fast < 0.999 * law.G


def _curve(slope, rate=1e10, path="a.csv"):
    spec = CurveSpec(path=path, strain_column="g", stress_column="s", loading="simple-shear",
                     rate=rate, temperature=500.0, glass="q1e14")
    return DataCurve(spec, STRAIN, slope * STRAIN)


def test_replicas_of_a_condition_are_pooled():
    curves = [_curve(20e9, path="r1.csv"), _curve(24e9, path="r2.csv"), _curve(26e9, rate=3e10)]
    models = [21e9 * STRAIN, 21e9 * STRAIN, 21e9 * STRAIN]
    pooled, lone = loading_slopes(curves, models, 0.03, "validate")
    assert pooled["replicas"] == 2 and pooled["set"] == "validate"
    assert pooled["data_slope_Pa"] == pytest.approx(22e9)
    assert pooled["data_slope_sd_Pa"] == pytest.approx(np.std([20e9, 24e9], ddof=1))
    assert pooled["model_over_data"] == pytest.approx(21 / 22)
    assert lone["replicas"] == 1 and lone["data_slope_sd_Pa"] is None
    assert lone["rate_per_s"] == 3e10
