"""scripts/localization_criterion.py on a run: the stress state of simple shear is N = 0, so
any softening localizes there, and the law's softening is read after its peak."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from stz_fem.cli import main

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location(
        "localization_criterion", ROOT / "scripts" / "localization_criterion.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_simple_shear_needs_no_softening_and_the_law_softens(tmp_path, capsys):
    run = tmp_path / "strip"
    assert main(["run", str(ROOT / "cases" / "shear_strip.toml"), "--out", str(run),
                 "--set", "mesh.size=2e-3", "--set", "mesh.grading=2.0",
                 "--set", "loading.end_strain=0.05", "--quiet"]) == 0
    script = load_script()
    n_mid, power, params = script.flowing_stress_states(run)
    assert n_mid.size > 0 and (power > 0).all()
    # plane strain, deviatoric flow: s_zz relaxes to the in-plane mean (elastic part aside)
    assert abs(script.weighted_median(n_mid, power)) < 0.02
    strain, minus_h = script.softening(params, 1e-2)
    assert minus_h.max() > 0.0 and strain.min() > 0.0
    capsys.readouterr()
    script.main([str(run), "--chi0", str(params.chi0), "--out", str(tmp_path / "c.png")])
    out = capsys.readouterr().out
    assert "a band needs −h/G ≥ 0.0" in out and (tmp_path / "c.png").is_file()


def test_weighted_median():
    script = load_script()
    assert script.weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 5.0])) == 2.0
    assert script.weighted_median(np.array([0.0, 1.0]), np.array([1.0, 3.0])) == pytest.approx(1.0)
