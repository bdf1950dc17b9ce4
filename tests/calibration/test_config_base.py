"""A calibration configuration on top of another (``base = "…"``, config_base.py): it means what
the full configuration it abbreviates means."""

import tomllib
from pathlib import Path

import pytest

from stz_fem.calibration.config import load_config, parse_config
from stz_fem.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "calibration" / "md_cuzr.toml"


def test_a_variant_means_the_full_configuration_it_abbreviates(tmp_path):
    folder = tmp_path / "variants"
    folder.mkdir()
    variant = folder / "no_threshold.toml"
    variant.write_text(f'base = "{SHIPPED}"\n\n[material]\ns_y = 0.0\ns_chi = 1e9\n\n'
                       "[free]\ns_y = false\n\n[free.s_chi]\nbounds = [1e8, 5e9]\n\n"
                       "[uncertainty]\nbootstrap = 0\n")
    full = tomllib.loads(SHIPPED.read_text())
    full["material"].update(s_y=0.0, s_chi=1e9)
    del full["free"]["s_y"]
    full["free"]["s_chi"] = {"bounds": [1e8, 5e9]}
    full["uncertainty"]["bootstrap"] = 0
    expected = parse_config(full, SHIPPED.parent)
    got = load_config(variant)
    assert got.model_dump() == expected.model_dump()
    # the base's curve paths still name the base's data, from the variant's folder
    assert Path(got.curves[0].path).resolve() == (SHIPPED.parent / full["curves"][0]["path"]
                                                  ).resolve()


def test_a_base_may_have_a_base(tmp_path):
    first = tmp_path / "first.toml"
    first.write_text(f'base = "{SHIPPED}"\n\n[uncertainty]\nbootstrap = 0\n')
    second = tmp_path / "second.toml"
    second.write_text('base = "first.toml"\n\n[fit]\nstarts = 2\n')
    config = load_config(second)
    assert config.fit.starts == 2 and config.uncertainty.bootstrap == 0
    assert len(config.curves) == len(load_config(SHIPPED).curves)


@pytest.mark.parametrize(("text", "message"), [
    ('base = "missing.toml"\n', "missing.toml: calibration configuration not found"),
    ("base = 3\n", "base = 3: must be the path of a calibration TOML"),
    ('base = "loop.toml"\n', "base configurations form a cycle (loop.toml → loop.toml)"),
])
def test_bad_bases_fail_in_one_line(tmp_path, text, message):
    path = tmp_path / "loop.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_shipped_variants_load():
    """Every diagnostic that names a base loads, and one that lists no curves of its own
    fits its base's (paths resolved from the base's folder)."""
    variants = {p: tomllib.loads(p.read_text()) for p in (ROOT / "calibration" / "cuzr_md")
                .glob("*.toml") if tomllib.loads(p.read_text()).get("base")}
    assert len(variants) >= 20
    for path, data in variants.items():
        config = load_config(path)
        if "curves" not in data:
            base = load_config(path.parent / data["base"])
            assert [c.path for c in config.curves] == [c.path for c in base.curves], path.name
