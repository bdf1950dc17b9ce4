"""The local update reproduces frozen outputs (tests/data/material_regression, see make.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from stz_fem.material import integrate, load

REFERENCE = Path(__file__).parents[1] / "data" / "material_regression" / "reference.npz"
DATA = np.load(REFERENCE)
CASES = json.loads(str(DATA["cases"]))
OUTPUTS = ("stress", "plastic_strain", "chi", "rate", "tangent")


@pytest.mark.parametrize("case", range(len(CASES)), ids=[json.dumps(c) for c in CASES])
def test_local_update_matches_frozen_reference(case):
    params = load(CASES[case])
    rows = np.flatnonzero(DATA["case"] == case)
    for i in rows:
        res = integrate(params, DATA["strain"][i], DATA["plastic_strain_n"][i],
                        DATA["chi_n"][i : i + 1], float(DATA["dt"][i]))
        for name in OUTPUTS:
            got, want = getattr(res, name)[0], DATA[name][i]
            # relative to each output's own magnitude: a tangent entry or stress component that
            # is zero in exact arithmetic carries round-off of the largest one
            np.testing.assert_allclose(
                got, want, rtol=1e-10, atol=1e-10 * np.abs(want).max(),
                err_msg=f"{name} at point {i} ({CASES[case]}, dt = {DATA['dt'][i]:.3g} s)",
            )
