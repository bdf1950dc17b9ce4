"""Checkpoints and --restart: a stopped run continued gives the uninterrupted result."""

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from stz_fem.cli import main

CASE = str(Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml")
COARSE = ["--set", "mesh.size=2e-3", "--set", "mesh.grading=2.0",
          "--set", "loading.end_strain=0.1", "--quiet"]


def read_curve(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


@pytest.mark.parametrize("material", [[], ["--set", "material.eps_a=2.0"]],
                         ids=["law", "orientation-lag"])
def test_stopped_and_restarted_run_matches_the_uninterrupted_one(tmp_path, capsys, material):
    """Also with the orientation lag (docs/model.md §2.4), whose M the checkpoint carries."""
    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["run", CASE, "--out", str(full), *COARSE, *material]) == 0
    assert main(["run", CASE, "--out", str(part), *COARSE, *material,
                 "--set", "solver.max_steps=40"]) == 4
    assert "stopped: 40 steps" in capsys.readouterr().out
    # rows written after the checkpoint (as by a run killed later) are dropped on restart, and
    # rows of an older version without plastic_work_J are kept under today's columns
    with open(part / "curve.csv") as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    column = rows[0].index("plastic_work_J")
    with open(part / "curve.csv", "w") as f:
        f.writelines(",".join(r[:column] + r[column + 1:]) + "\n" for r in rows)
        f.write("41,1,1,1,1,1,1,1,1\n")
    assert main(["run", CASE, "--out", str(part), *COARSE, *material, "--restart"]) == 0
    a, b = read_curve(full / "curve.csv"), read_curve(part / "curve.csv")
    assert np.isnan(b["plastic_work_J"][:40]).all()
    np.testing.assert_allclose(b["plastic_work_J"][40:], a["plastic_work_J"][40:], rtol=1e-9)
    np.testing.assert_array_equal(a["step"], b["step"])
    np.testing.assert_allclose(b["time_s"], a["time_s"], rtol=1e-12)
    np.testing.assert_allclose(b["mean_stress_Pa"], a["mean_stress_Pa"], rtol=1e-9)
    np.testing.assert_allclose(b["max_chi_K"], a["max_chi_K"], rtol=1e-9)
    from stz_fem.results import frames, read_summary

    assert [t for t, _ in frames(part)] == pytest.approx([t for t, _ in frames(full)])
    assert all(path.is_file() for _, path in frames(part))
    summary = read_summary(part)
    assert summary["restarts"] == 1 and summary["status"] == "completed"
    assert summary["bands"]["localization_index"] == pytest.approx(
        read_summary(full)["bands"]["localization_index"], rel=1e-9)


def test_a_restart_without_frames_leaves_no_empty_series(tmp_path):
    """A leg stopped before its first output (long 3-D runs stopped by max_wall_time) leaves
    fields.pvd as the one series to open, not a blank fields_restartK.pvd beside it."""
    out = tmp_path / "run"
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=40"]) == 4
    before = (out / "fields.pvd").read_text()
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=40",
                 "--restart"]) == 4  # stops before a step: no frame
    assert not (out / "fields_restart1.pvd").exists()
    assert (out / "fields.pvd").read_text() == before


def test_restart_refuses_a_changed_case_or_a_missing_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", CASE, "--out", str(out), "--restart", *COARSE]) == 2
    assert "no checkpoint" in capsys.readouterr().err
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=5"]) == 4
    assert main(["run", CASE, "--out", str(out), *COARSE, "--restart",
                 "--set", "material.chi0=650.0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "material.chi0" in err
    # how far to go may change: a restart can extend the loading
    assert main(["run", CASE, "--out", str(out), *COARSE, "--restart",
                 "--set", "solver.max_steps=10"]) == 4
    assert "stopped: 10 steps" in capsys.readouterr().out


def test_previous_run_tells_completed_from_unfinished_runs_of_the_same_case(tmp_path):
    from mpi4py import MPI

    from stz_fem.cases import read_case
    from stz_fem.simulation import Simulation

    settings = [COARSE[k + 1] for k in range(0, len(COARSE) - 1, 2)]
    out = tmp_path / "run"

    def previous(*extra):
        with Simulation(read_case(CASE, [*settings, *extra]), out, MPI.COMM_SELF) as sim:
            return sim.previous_run()

    assert previous() is None
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=5"]) == 4
    assert previous("solver.max_steps=5") == "checkpoint"
    assert previous("solver.max_steps=5", "material.chi0=650.0") is None
    assert main(["run", CASE, "--out", str(out), *COARSE]) == 0
    assert previous() == "completed"


def _run_until(out, rows, sig, *extra):
    """``stz-fem run`` in a subprocess, sent ``sig`` once curve.csv has ``rows`` steps."""
    proc = subprocess.Popen([sys.executable, "-m", "stz_fem.cli", "run", CASE, "--out",
                             str(out), *COARSE, *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    curve = out / "curve.csv"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if curve.is_file() and sum(1 for _ in open(curve)) > rows:
            proc.send_signal(sig)
            break
        time.sleep(0.02)
    _stdout, stderr = proc.communicate(timeout=300)
    return proc.returncode, stderr


EVERY_STEP = ("--set", "solver.checkpoint_interval=1e-9")


@pytest.mark.parametrize("sig, extra", [(signal.SIGKILL, ()), (signal.SIGINT, ()),
                                        (signal.SIGKILL, EVERY_STEP)],
                         ids=["SIGKILL", "SIGINT", "SIGKILL-wall-time-checkpoints"])
def test_a_killed_or_interrupted_run_restarts_to_the_uninterrupted_result(tmp_path, sig, extra):
    """Killed between field outputs (SIGKILL: the restart starts from the last checkpoint, the
    last output's or, with ``solver.checkpoint_interval`` passed, a later step's, and redoes
    the steps after it) or interrupted (SIGINT: one line, status "interrupted", a fresh
    checkpoint), the restarted run follows the uninterrupted one's step sequence to
    round-off."""
    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["run", CASE, "--out", str(full), *COARSE]) == 0
    code, stderr = _run_until(part, 23, sig, *extra)
    if extra:
        # a checkpoint after every step: the kill came at most one step after the last one
        with np.load(part / "checkpoint.npz") as data:
            saved_step = json.loads(str(data["scalars"]))["step"]
        assert saved_step >= 22
        from stz_fem.results import frames

        curve = read_curve(full / "curve.csv")
        output_times = [t for t, _ in frames(full)]
        steps_and_times = zip(curve["step"], curve["time_s"], strict=True)
        last_output_step = max(int(step) for step, t in steps_and_times if step <= saved_step
                               and any(abs(t - o) <= 1e-9 * o for o in output_times))
        assert saved_step > last_output_step
    if sig == signal.SIGINT:
        from stz_fem.results import read_summary

        assert code == 130
        assert stderr.strip().count("\n") == 0 and "interrupted by SIGINT" in stderr
        assert read_summary(part)["status"] == "interrupted"
    else:
        assert code == -signal.SIGKILL
    # the frames written before the stop are a ParaView series already
    from stz_fem.results import frames

    written = frames(part)
    assert written and all(path.is_file() for _, path in written)
    assert main(["run", CASE, "--out", str(part), *COARSE, "--restart"]) == 0
    a, b = read_curve(full / "curve.csv"), read_curve(part / "curve.csv")
    np.testing.assert_array_equal(a["step"], b["step"])
    np.testing.assert_allclose(b["time_s"], a["time_s"], rtol=1e-12)
    np.testing.assert_allclose(b["mean_stress_Pa"], a["mean_stress_Pa"], rtol=1e-8)
    np.testing.assert_allclose(b["max_chi_K"], a["max_chi_K"], rtol=1e-8)
    assert not list(part.glob("*.tmp*"))


def test_damaged_run_files_give_one_line(tmp_path, capsys):
    """A truncated checkpoint (disk full, copied half) and a summary edited into invalid JSON
    end in one error line, not a traceback."""
    out = tmp_path / "run"
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=3"]) == 4
    data = (out / "checkpoint.npz").read_bytes()
    (out / "checkpoint.npz").write_bytes(data[: len(data) // 2])
    capsys.readouterr()
    assert main(["run", CASE, "--out", str(out), *COARSE, "--restart"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "damaged" in err
    (out / "summary.json").write_text('{"status": "running", "case": ')
    assert main(["bands", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "summary.json" in err


def test_a_checkpoint_from_before_a_new_parameter_restarts(tmp_path, capsys):
    """A case key added since the checkpoint was written (here the material's eps_a, with its
    default) is not a change: the stored case is read by today's model before comparing."""
    import json

    out = tmp_path / "run"
    assert main(["run", CASE, "--out", str(out), *COARSE, "--set", "solver.max_steps=5"]) == 4
    path = out / "checkpoint.npz"
    with np.load(path) as data:
        stored = {name: data[name] for name in data.files}
    scalars = json.loads(str(stored["scalars"]))
    del scalars["case"]["material"]["eps_a"]
    stored["scalars"] = np.array(json.dumps(scalars))
    np.savez(path, **stored)
    assert main(["run", CASE, "--out", str(out), *COARSE, "--restart",
                 "--set", "solver.max_steps=8"]) == 4
    assert "stopped: 8 steps" in capsys.readouterr().out
    # and again: the rows a restart kept are read back by the next one
    assert main(["run", CASE, "--out", str(out), *COARSE, "--restart",
                 "--set", "solver.max_steps=10"]) == 4
    with open(out / "curve.csv") as f:
        steps = [line.split(",")[0] for line in f][1:]
    assert steps == [str(k) for k in range(1, 11)]
