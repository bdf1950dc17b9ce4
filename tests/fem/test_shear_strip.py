"""The shear-strip benchmark: a horizontal band through the χ bump; rejuvenation delocalizes;
Newton converges quadratically."""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

from pathlib import Path

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

from stz_fem.cases import read_case
from stz_fem.simulation import Simulation

CASE = Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml"
RESOLVED = ["mesh.size=1e-3", "mesh.grading=4.0", "output.fields=false"]


def run_strip(tmp_path, overrides):
    data = read_case(CASE, [*RESOLVED, *overrides])
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        return sim.run(progress=False)


def test_band_forms_through_the_bump_and_rejuvenation_delocalizes(tmp_path):
    annealed = run_strip(tmp_path / "600", [])
    bands = annealed["bands"]
    assert annealed["status"] == "completed"
    # Homogeneous flow gives L ≈ 0.05. The issue asks L ≥ 0.5; with ℓ_χ = 2 mm the band is
    # 2.3 mm wide in plastic strain (FWHM), wider than the 1 mm slab (5 % of the strip) that L
    # counts, so a resolved band gives L = 0.35–0.39 (converged 0.353, docs/numerics.md);
    # L ≥ 0.5 takes a band half as wide, ℓ_χ = 1 mm (the slow test below).
    assert bands["localization_index"] >= 0.3
    assert bands["orientation_deg"] <= 5.0
    assert bands["centre_m"][1] == pytest.approx(0.01, abs=1e-3)
    # L rises out of homogeneous flow (≈ 0.065 at first yield) as the band forms. It stays
    # below 0.5, so the onset of docs/model.md §6 (L first above 0.5) is undefined (None) here.
    history = [h["localization_index"] for h in annealed["band_history"]]
    first_yield = next(value for value in history if value > 0.0)
    assert first_yield < 0.1 and max(history) >= 4.0 * first_yield
    assert (tmp_path / "600" / "run.png").stat().st_size > 20_000
    rejuvenated = run_strip(tmp_path / "680", ["material.chi0=680.0"])
    assert rejuvenated["bands"]["localization_index"] < bands["localization_index"] - 0.1


@pytest.mark.slow
def test_a_band_half_as_wide_carries_half_the_dissipation(tmp_path):
    """With ℓ_χ = 1 mm (two elements per ℓ_χ, grading 2) the band is ~1.5 mm wide in plastic
    strain and L ≥ 0.5 (measured 0.537; about 5 min on one core)."""
    summary = run_strip(tmp_path, ["material.l_chi=1e-3", "mesh.size=5e-4", "mesh.grading=2.0"])
    bands = summary["bands"]
    assert bands["localization_index"] >= 0.5
    assert bands["orientation_deg"] <= 5.0
    assert 1e-3 < bands["width_m"] < 2e-3


def test_newton_converges_quadratically_in_plastic_flow(tmp_path):
    data = read_case(CASE, ["mesh.size=4e-3", "output.fields=false",
                            "loading.end_strain=0.06"])
    norms = []
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        sim.run(progress=False)
        sim.solver.snes.setMonitor(lambda snes, its, norm: norms.append(norm))
        t = sim.specimen.end_time
        converged, its = sim.solver.solve_step(t * 1.3, t * 0.3)
    assert converged and its >= 3
    r = np.array(norms)
    # convergence orders log(r_k+1/r_k)/log(r_k/r_k-1), up to where round-off (1e-9 of the
    # initial residual) blurs them
    rates = np.log(r[2:] / r[1:-1]) / np.log(r[1:-1] / r[:-2])
    rates = rates[r[2:] > 1e-9 * r[0]]
    assert rates.size >= 1 and rates.max() >= 1.9, r


SMALL_STRIP = ["geometry.length=5e-3", "mesh.size=2.5e-4", "mesh.grading=2.0",
               "output.fields=false"]


def test_a_failed_step_does_not_poison_the_next(tmp_path):
    """A step far too large whose predictor holds the interior still (a restart after a hold:
    zero last increment), so the walls' jump strains the wall elements alone, fails with a
    failed MUMPS factorization; the shorter retry must then factorize afresh and converge
    (PETSc skips every numeric factorization after a failed one unless the preconditioner
    is reset)."""
    data = read_case(CASE, SMALL_STRIP)
    with Simulation(data, tmp_path, MPI.COMM_SELF) as sim:
        sim.solver.restore(0.0, fem.Function(sim.solver.V), last_dt=1.0)
        too_long, _ = sim.solver.solve_step(0.1, 0.1)
        converged, _ = sim.solver.solve_step(1e-3, 1e-3)
    assert not too_long and converged


def test_the_first_step_starts_from_the_elastic_solution(tmp_path):
    """With nothing to extrapolate, the first step starts from the elastic field of the
    boundary jump: an elastic first step needs no Newton iteration, and a first step into
    flow in the bump (1 s: nominal shear 2.5 %) converges, where a start with the interior
    held fails even with the bump absent (test above)."""
    bump = "initial_chi.bumps=[{centre=[2.5e-3,1e-2],amplitude=200.0,width=5e-4}]"
    data = read_case(CASE, [*SMALL_STRIP, bump])
    with Simulation(data, tmp_path / "elastic", MPI.COMM_SELF) as sim:
        elastic = sim.solver.solve_step(0.1, 0.1)
        assert sim.solver.global_max(sim.solver.rate) == 0.0
    with Simulation(data, tmp_path / "plastic", MPI.COMM_SELF) as sim:
        converged, _ = sim.solver.solve_step(1.0, 1.0)
        flowing = sim.solver.global_max(sim.solver.rate)
    assert elastic == (True, 0)
    assert converged and flowing > 0.0
