"""Material parameters: presets, elastic pairs, overrides, validation messages, TOML."""

import math

import pytest

from stz_fem.errors import InputError
from stz_fem.material import PRESETS, from_mapping, load, save


def test_vitreloy1_elastic_constants_follow_from_E_and_nu():
    p = load("vitreloy1")
    assert p.G == pytest.approx(101e9 / 2.7, rel=1e-15)
    assert p.K == pytest.approx(101e9 / 0.9, rel=1e-15)
    assert (p.E, p.nu) == (pytest.approx(101e9), pytest.approx(0.35))


def test_cu50zr50_preset_keeps_G_and_K():
    p = load("cu50zr50")
    assert (p.G, p.K, p.T, p.l_chi) == (20e9, 143.2e9, 100.0, 1e-9)


def test_file_overrides_preset_including_rate_term(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('preset = "vitreloy1"\nchi0 = 640.0\nl_chi = 2e-3\nrate_term = "johnson-samwer"\n')
    p = load(f)
    assert (p.chi0, p.l_chi, p.rate_term) == (640.0, 2e-3, "johnson-samwer")
    # W0 from the consistency formula, docs/model.md §2.1
    omega0 = math.exp(-p.T_Z / p.chi_inf) / p.tau0
    assert p.js_barrier == pytest.approx(
        p.Tg * math.log(omega0 / p.rate_ref) * (0.036 / 0.016) ** 1.5, rel=1e-14
    )


def test_overriding_one_elastic_constant_keeps_its_partner():
    assert load({"preset": "vitreloy1", "E": 90e9}).nu == pytest.approx(0.35)
    p = load({"preset": "vitreloy1", "G": 30e9, "K": 100e9})
    assert (p.G, p.K) == (30e9, 100e9)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"preset": "vitreloy1", "E": -1.0}, "material.E = -1.0: must be > 0 (Pa)"),
        ({"preset": "vitreloy1", "nu": 0.5}, "material.nu = 0.5: must be ≥ 0 and < 0.5"),
        ({"preset": "vitreloy1", "chi0": 0}, "material.chi0 = 0: must be > 0 (K)"),
        ({"preset": "vitreloy1", "tau0": -1e-13}, "material.tau0 = -1e-13: must be > 0 (s)"),
        ({"preset": "vitreloy1", "chi_0": 600.0}, "did you mean 'chi0'?"),
        ({"preset": "vitreloy2"}, "unknown preset; allowed: vitreloy1, cu50zr50"),
        ({"preset": "vitreloy1", "rate_term": "arrhenius"}, "allowed: eyring, johnson-samwer"),
        ({"preset": "vitreloy1", "T": "400"}, "material.T = '400': must be a number"),
        ({"preset": "vitreloy1", "s_y": 0.0}, "material.s_chi: required"),
        ({"preset": "vitreloy1", "G": 30e9}, "exactly one complete pair"),
    ],
)
def test_bad_values_give_one_line_errors_naming_key_and_range(data, expected):
    with pytest.raises(InputError) as err:
        from_mapping(data)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_toml_roundtrip_of_every_preset(tmp_path):
    for name in PRESETS:
        p = load(name).replace(chi0=612.5, rate_term="johnson-samwer", t_r0=1e3)
        save(p, tmp_path / f"{name}.toml")
        assert load(tmp_path / f"{name}.toml") == p


def test_unparsable_and_missing_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("chi0 = = 3")
    with pytest.raises(InputError, match=r"bad\.toml: not valid TOML"):
        load(bad)
    with pytest.raises(InputError, match="not a material file or preset"):
        load(tmp_path / "missing.toml")


@pytest.mark.parametrize("key", ["G", "s_y", "tau0", "Delta", "T", "chi0", "s_chi", "W0", "E",
                                 "nu", "alpha", "E_r", "t_r0"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_refused_except_relaxation_off(key, value):
    if key == "t_r0" and value == math.inf:
        assert load({"preset": "vitreloy1", "t_r0": value}).relaxation_time == math.inf
        return
    preset = "vitreloy1" if key in ("E", "nu") else "cu50zr50"
    with pytest.raises(InputError, match=rf"^material\.{key} = {value!r}: must be"):
        from_mapping({"preset": preset, key: value})


def test_parameters_are_frozen_and_replace_keeps_the_elastic_partner():
    p = load("vitreloy1")
    with pytest.raises(ValueError, match="frozen"):
        p.chi0 = 1.0
    q = p.replace(E=90e9)
    assert (q.E, q.nu) == (pytest.approx(90e9), pytest.approx(0.35))
    assert p.replace(chi0=p.chi0) == p


def test_missing_parameter_names_its_range():
    data = {k: v for k, v in PRESETS["cu50zr50"].items() if k != "chi0"}
    with pytest.raises(InputError, match=r"^material\.chi0: missing \(must be > 0 \(K\)\)$"):
        from_mapping(data)
