"""The linear solver of the Newton steps: "auto" picks by dimension and size, the AMG
preconditioner is kept across Newton iterations and steps, and ``elastic_solve`` is the
benchmarks' warm unit."""

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.fem.linear import ITERATIVE_FROM_DOFS_3D, choose
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import load
from stz_fem.material_point import Loading, run
from stz_fem.specimens import load_case


def test_auto_takes_mumps_in_2d_and_for_small_3d_meshes():
    assert choose("auto", 2, 10**7)[0] == "direct"
    assert choose("auto", 3, ITERATIVE_FROM_DOFS_3D - 1)[0] == "direct"
    solver, reason = choose("auto", 3, ITERATIVE_FROM_DOFS_3D)
    assert solver == "iterative" and "auto" in reason and str(ITERATIVE_FROM_DOFS_3D) in reason
    assert choose("direct", 3, 10**7) == ("direct", "solver.linear = 'direct'")


def _block(linear, petsc_options=None):
    params = load("vitreloy1").replace(chi0=620.0)
    specimen = load_case({
        "specimen": "block", "mesh": {"size": 0.5, "degree": 2},
        "geometry": {"dimension": 3},
        "loading": {"kind": "simple-shear", "rate": 1e-3, "end_strain": 0.06},
    })
    setup = specimen.build(MPI.COMM_SELF)
    solver = MechanicsSolver(setup.mesh, params, lambda x: np.full(x.shape[0], params.chi0),
                             prescribed=setup.prescribed, linear_solver=linear,
                             petsc_options=petsc_options)
    return params, specimen, setup, solver


def test_the_amg_preconditioner_outlives_newton_iterations_and_steps():
    """CG + GAMG through elastic loading and plastic flow: the same stresses as the material
    point (so Newton is as exact as with LU) with far fewer preconditioner builds than
    Newton iterations."""
    params, specimen, setup, solver = _block("iterative")
    driver = run(params, Loading("simple-shear", rate=1e-3, strain=0.06, plane_strain=False))
    times = driver["time_s"]
    newton = 0
    try:
        for k in range(1, len(times)):
            converged, its = solver.solve_step(times[k], times[k] - times[k - 1])
            assert converged
            newton += its
            solver.commit()
            stress = specimen.loads(solver, setup)["mean_stress_Pa"]
            assert stress == pytest.approx(driver["stress_Pa"][k], rel=1e-6,
                                           abs=1e-6 * params.s_y)
        assert 1 <= solver.preconditioner_builds < newton / 3
    finally:
        solver.destroy()


def _shear_block(petsc_options):
    """(mean stresses, Newton iterations, Krylov iterations) of the block in plastic flow
    with CG + GAMG."""
    params, specimen, setup, solver = _block("iterative", petsc_options)
    times = run(params, Loading("simple-shear", rate=1e-3, strain=0.06,
                                plane_strain=False))["time_s"]
    stresses, newton, krylov = [], 0, 0
    try:
        for k in range(1, len(times)):
            assert solver.solve_step(times[k], times[k] - times[k - 1])[0]
            newton += solver.snes.getIterationNumber()
            krylov += solver.snes.getLinearSolveIterations()
            solver.commit()
            stresses.append(specimen.loads(solver, setup)["mean_stress_Pa"])
    finally:
        solver.destroy()
    return np.array(stresses), newton, krylov


def test_inexact_newton_saves_krylov_iterations_not_accuracy():
    """Eisenstat–Walker forcing terms: the early Newton systems solved loosely cost fewer
    Krylov iterations than solving each to 1e-10, and Newton still reaches the same residual
    tolerance, so the steps' stresses agree to that tolerance."""
    exact = _shear_block({"snes_ksp_ew": False})
    inexact = _shear_block(None)
    np.testing.assert_allclose(inexact[0], exact[0], rtol=1e-8)
    assert inexact[2] < 0.8 * exact[2]
    assert inexact[1] <= 1.5 * exact[1]


def test_elastic_solve_is_warm_and_leaves_the_direct_solver_alone():
    _, _, _, solver = _block("auto")
    try:
        assert solver.linear_solver == "direct" and solver.preconditioner_builds is None
        assert solver.elastic_solve() == 1  # MUMPS: one application
        assert solver.elastic_solve("iterative") > 1
        assert solver.elastic_solve("iterative") > 1  # the same KSP, again
    finally:
        solver.destroy()
