"""Fuzzing the input path: every mutated case either validates or gives one InputError line.

A seeded generator mutates every shipped case (each value replaced by NaN, ±inf, a negative,
zero, a string, a list, a table, a boolean; keys deleted, misspelt or added) and the checks
that run before anything is built (``load_case``, ``check_size``) must either accept the case
or raise ``InputError`` with a one-line message — never another exception, which the CLI
would show as an internal error. A sample runs in the suite, every mutation with ``-m slow``.
"""

import copy
import random
import tomllib
from pathlib import Path

import pytest

from stz_fem.cases import apply_overrides, read_case
from stz_fem.errors import InputError
from stz_fem.specimens import load_case

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted([*ROOT.glob("cases/*.toml"), *ROOT.glob("meshes/examples/*.toml"),
                *ROOT.glob("calibration/cuzr/*cell.toml")])
VALUES = (float("nan"), float("inf"), float("-inf"), -1.0, 0.0, -7, "text", [1.0, "a"],
          {"a": 1}, True, 1e300, "")


def _leaves(data, path=()):
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key)


def _typo(key: str, rng: random.Random) -> str:
    if len(key) < 2:
        return key + "x"
    i = rng.randrange(len(key) - 1)
    return key[:i] + key[i + 1] + key[i] + key[i + 2:]


def mutations(seed: int = 0):
    """(case name, description, mutated raw data) for every shipped case."""
    rng = random.Random(seed)
    for path in CASES:
        base = read_case(path)
        for leaf in _leaves(base):
            for value in VALUES:
                yield path.name, f"{'.'.join(leaf)} = {value!r}", _set(base, leaf, value)
            yield path.name, f"del {'.'.join(leaf)}", _delete(base, leaf)
            typo = (*leaf[:-1], _typo(leaf[-1], rng))
            yield path.name, f"rename {'.'.join(leaf)}", _set(_delete(base, leaf), typo,
                                                            _get(base, leaf))
        for section in ("mesh", "loading", "solver", "material", "initial_chi", "geometry"):
            yield path.name, f"{section}.extra", _set(base, (section, "zz_extra"), 1.0)


def _get(data, keys):
    for k in keys:
        data = data[k]
    return data


def _set(data, keys, value):
    data = copy.deepcopy(data)
    node = data
    for k in keys[:-1]:
        if not isinstance(node.get(k), dict):
            node[k] = {}
        node = node[k]
    node[keys[-1]] = value
    return data


def _delete(data, keys):
    data = copy.deepcopy(data)
    node = data
    for k in keys[:-1]:
        node = node[k]
    del node[keys[-1]]
    return data


def _check(data) -> str:
    """"valid" or the InputError's message; any other exception propagates (a failure)."""
    try:
        load_case(data).check_size()
    except InputError as err:
        message = str(err)
        assert message and "\n" not in message and "Traceback" not in message
        return message
    return "valid"


ALL = list(mutations())


def test_the_generator_covers_every_case_and_hundreds_of_inputs():
    assert len({name for name, _, _ in ALL}) == len(CASES) >= 10
    assert len(ALL) > 1000


@pytest.mark.parametrize("index", random.Random(1).sample(range(len(ALL)), 300))
def test_a_sample_of_mutated_cases_validates_or_gives_one_line(index):
    _check(ALL[index][2])


@pytest.mark.slow
def test_every_mutated_case_validates_or_gives_one_line():
    outcomes = {what: _check(data) for _, what, data in ALL}
    rejected = sum(1 for v in outcomes.values() if v != "valid")
    assert rejected > 0.8 * len(outcomes)


@pytest.mark.parametrize("override", [
    "mesh", "mesh.size", "=1", "mesh..size=1", "mesh.size.x=1", "material=[1, 2]",
    "initial_chi.bumps=[{centre=[1]}]", "specimen=3", "specimen=['shear_strip']",
])
def test_bad_set_options_give_one_line(override):
    base = read_case(ROOT / "cases" / "shear_strip.toml")
    try:
        data = apply_overrides(base, [override])
    except InputError as err:
        assert "\n" not in str(err)
        return
    _check(data)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", "titel = 'é'".encode("latin-1"),
                                     b"[mesh\nsize = 1", b""])
def test_garbage_case_files_give_one_line(tmp_path, content):
    path = tmp_path / "case.toml"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_case(read_case(path))
    assert "\n" not in str(err.value)


def material_mutations():
    """Every parameter of every preset (and of the shipped fitted material files) replaced by
    each bad value, deleted, or misspelt."""
    from stz_fem.material import PRESETS

    rng = random.Random(2)
    bases = {f"preset {name}": dict(values) for name, values in PRESETS.items()}
    for path in sorted(ROOT.glob("calibration/**/material.toml")):
        bases[str(path.relative_to(ROOT))] = tomllib.loads(path.read_text())
    for name, base in bases.items():
        for key in base:
            for value in VALUES:
                yield name, {**base, key: value}
            yield name, {k: v for k, v in base.items() if k != key}
            yield name, {**{k: v for k, v in base.items() if k != key}, _typo(key, rng): base[key]}


def test_every_mutated_material_validates_or_gives_one_line():
    from stz_fem.material import from_mapping

    outcomes = []
    for _name, data in material_mutations():
        try:
            from_mapping(data, where="material")
            outcomes.append("valid")
        except InputError as err:
            assert "\n" not in str(err)
            outcomes.append(str(err))
    assert len(outcomes) > 300 and sum(o != "valid" for o in outcomes) > 0.8 * len(outcomes)


TOML_VALUES = ("nan", "inf", "-inf", "-1.0", "0.0", '"text"', '[1.0, "a"]', "{a = 1}", "true")


@pytest.mark.parametrize("index", range(24))
def test_the_cli_refuses_bad_values_with_exit_2_and_one_line(index, tmp_path, capsys):
    """``stz-fem run CASE --set key=value`` with a bad value: exit status 2, one error line,
    no traceback, and nothing built (a sample of leaves × values of every shipped case)."""
    from stz_fem.cli import main

    rng = random.Random(index)
    path = rng.choice([p for p in CASES if "calibration" not in str(p)])
    leaf = rng.choice([leaf for leaf in _leaves(read_case(path)) if leaf[0] != "specimen"])
    value = rng.choice(TOML_VALUES)
    override = f"{'.'.join(leaf)}={value}"
    if _check(apply_overrides(read_case(path), [override])) == "valid":
        pytest.skip(f"{override} is valid for {path.name}")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--set", override]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("stz-fem: error:") and "Traceback" not in err


CONFIGS = [ROOT / "calibration" / "md_cuzr.toml", ROOT / "calibration" / "cuzr" / "config.toml"]


def config_mutations():
    """Every leaf of the shipped calibration configs (arrays of tables entered) replaced by
    each bad value, deleted, or misspelt."""
    rng = random.Random(3)
    for path in CONFIGS:
        base = tomllib.loads(path.read_text())
        leaves = []
        for key, value in base.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                leaves += [(key, 0, k) for k in value[0]]
            elif isinstance(value, dict):
                leaves += [(key, *leaf) for leaf in _leaves(value)] if value else [(key,)]
            else:
                leaves.append((key,))
        for leaf in leaves:
            for value in VALUES:
                yield path, _set_any(base, leaf, value)
            yield path, _set_any(base, leaf, None)
            yield path, _set_any(base, (*leaf[:-1], _typo(str(leaf[-1]), rng)), 1.0)


def _set_any(data, keys, value):
    """A copy with ``keys`` (dict keys and list indices) set to ``value`` (None: deleted)."""
    data = copy.deepcopy(data)
    node = data
    for k in keys[:-1]:
        node = node[k]
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return data


def test_every_mutated_calibration_config_validates_or_gives_one_line():
    from stz_fem.calibration.config import parse_config

    outcomes = []
    for path, data in config_mutations():
        try:
            parse_config(data, path.parent)
            outcomes.append("valid")
        except InputError as err:
            assert "\n" not in str(err), str(err)
            outcomes.append(str(err))
    assert len(outcomes) > 300 and sum(o != "valid" for o in outcomes) > 0.5 * len(outcomes)
