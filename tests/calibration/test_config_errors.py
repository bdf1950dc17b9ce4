"""Bad calibration configurations give one-line InputErrors that name the key."""

import pytest

from stz_fem.calibration import calibrate
from stz_fem.calibration.config import load_config
from stz_fem.errors import InputError

GOOD = {
    "material": 'preset = "cu50zr50"',
    "free": "[free.chi0]\nbounds = [300.0, 900.0]",
    "curve": """[[curves]]
path = "data.csv"
strain_column = "gamma"
stress_column = "tau"
loading = "simple-shear"
rate = 1e8""",
}
PRESSURE_CURVE = """
[analyses]
pressure = true

[[pressure_curves]]
path = "data.csv"
rate = 1e10"""


def _config(tmp_path, **parts):
    text = {**GOOD, **parts}
    (tmp_path / "data.csv").write_text("gamma,tau\n0,0\n0.01,2e8\n0.02,4e8\n0.03,5e8\n")
    path = tmp_path / "config.toml"
    path.write_text(f"[material]\n{text['material']}\n\n{text['free']}\n\n{text['curve']}\n")
    return path


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        ({"material": 'preset = "steel"'}, "material.preset"),
        ({"material": 'preset = "cu50zr50"\nchi0 = -5.0'}, "material.chi0"),
        ({"free": "[free.chi00]\nbounds = [1.0, 2.0]"}, "free.chi00"),
        ({"free": "[free.T]\nbounds = [1.0, 2.0]"}, "free.T"),
        ({"free": "[free.chi0]\nbounds = [900.0, 300.0]"}, "free.chi0.bounds"),
        ({"free": "[free.chi0]\nbounds = [300.0, 900.0]\ninitial = 1000.0"}, "free.chi0.initial"),
        ({"free": "[free.tau0]\nbounds = [0.0, 1e-12]\nlog = true"}, "free.tau0.bounds"),
        ({"curve": GOOD["curve"].replace("simple-shear", "torsion")}, "curves[0].loading"),
        ({"curve": GOOD["curve"].replace("rate = 1e8", "rate = -1.0")}, "curves[0].rate"),
        ({"curve": GOOD["curve"].replace('stress_column = "tau"', 'stress_column = "s"')},
         "curves[0].stress_column"),
        ({"curve": GOOD["curve"].replace("data.csv", "nope.csv")}, "curves[0].path"),
        ({"curve": GOOD["curve"] + "\nwieght = 2.0"}, "curves[0].wieght"),
        ({"curve": GOOD["curve"] + "\nstrain_window = [0.5, 0.9]"}, "curves[0].strain_window"),
        ({"curve": ""}, "curves"),
        ({"free": GOOD["free"] + "\n[analyses]\neyring = 1"}, "analyses.eyring"),
        ({"free": GOOD["free"] + "\n[analyses]\nflow_window = 0.0"}, "analyses.flow_window"),
        ({"free": GOOD["free"] + "\n[analyses]\njs = true"}, "analyses.js"),
        ({"free": GOOD["free"] + "\n[analyses]\nloading_slope_strain = 0.015"},
         "analyses.loading_slope_strain"),
        ({"free": GOOD["free"] + "\n[analyses]\nloading_slope_strain = -0.02"},
         "analyses.loading_slope_strain"),
        ({"free": "[free.chi0]\nbounds = [300.0, inf]"}, "free.chi0.bounds[1]"),
        ({"free": "[free.chi0]\nbounds = [300.0]"}, "free.chi0.bounds"),
        ({"free": "[free.chi0]\nbounds = [300.0, 900.0]\nname = 'x'"}, "free.chi0.name"),
        ({"free": "[free.s_chi]\nbounds = [1e8, 1e9]"}, "free.s_chi.initial"),
        ({"free": GOOD["free"] + "\n[fit]\nstep_limits = { chi = -1.0 }"}, "fit.step_limits.chi"),
        ({"free": GOOD["free"] + "\n[fit]\nmax_steps = 2.5"}, "fit.max_steps"),
        ({"curve": GOOD["curve"] + "\nwhere = 'x'"}, "curves[0].where"),
        ({"curve": GOOD["curve"].replace("rate = 1e8", "rate = nan")}, "curves[0].rate"),
        ({"material": 'file = "nope.toml"'}, "material.file"),
        ({"free": GOOD["free"] + "\n[analyses]\npressure = true"}, "analyses.pressure"),
        ({"curve": GOOD["curve"] + PRESSURE_CURVE}, "pressure_curves[0].strain_column"),
        ({"curve": GOOD["curve"] + PRESSURE_CURVE + '\nheld = "x"'}, "pressure_curves[0].held"),
    ],
)
def test_bad_config_names_the_key(tmp_path, parts, key):
    with pytest.raises(InputError) as err:
        calibrate(_config(tmp_path, **parts), tmp_path / "out")
    message = str(err.value)
    assert message.startswith(key) or f"{key} " in message or f"{key}:" in message, message
    assert "\n" not in message
    assert not (tmp_path / "out").exists()  # nothing written for a bad config


def test_messages_say_what_is_allowed(tmp_path):
    cases = {
        "curves[0].wieght: unknown key (did you mean 'weight'?)":
            {"curve": GOOD["curve"] + "\nwieght = 2.0"},
        "curves[0].rate = -1.0: must be > 0 (1/s)":
            {"curve": GOOD["curve"].replace("rate = 1e8", "rate = -1.0")},
        "free.chi0.bounds = [900.0, 300.0]: must be [lower, upper] with lower < upper":
            {"free": "[free.chi0]\nbounds = [900.0, 300.0]"},
    }
    for expected, parts in cases.items():
        with pytest.raises(InputError) as err:
            load_config(_config(tmp_path, **parts))
        assert str(err.value).startswith(expected), err.value


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.toml").write_text('preset = "cu50zr50"\nchi0 = 555.0\n')
    path = _config(tmp_path, material='file = "sub/m.toml"\nc0 = 0.5')
    config = load_config(path)
    assert (config.base.chi0, config.base.c0) == (555.0, 0.5)
    assert config.free[0].initial == 555.0  # the start defaults to the base material's value
    assert config.curves[0].path == tmp_path / "data.csv"
    assert config.curves[0].temperature == config.base.T
