"""A homogeneously loaded block reproduces the material-point driver (same time steps)."""

import numpy as np
import pytest
from mpi4py import MPI

from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import load
from stz_fem.material_point import Loading, run
from stz_fem.specimens import load_case


@pytest.mark.parametrize(
    ("dimension", "kind", "linear"),
    [(2, "simple-shear", "direct"), (3, "simple-shear", "direct"),
     (2, "uniaxial-tension", "direct"), (3, "uniaxial-tension", "direct"),
     (3, "simple-shear", "iterative")],
)
def test_block_follows_the_material_point_driver(dimension, kind, linear):
    """Also with CG + GAMG (rigid-body near nullspace) instead of LU."""
    params = load("vitreloy1").replace(chi0=620.0)
    rate, end = 1e-3, 0.06 if kind == "simple-shear" else 0.04
    driver = run(params, Loading(kind, rate=rate, strain=end, plane_strain=dimension == 2))
    specimen = load_case({
        "specimen": "block", "mesh": {"size": 0.5, "degree": 2},
        "geometry": {"dimension": dimension},
        "loading": {"kind": kind, "rate": rate, "end_strain": end},
    })
    setup = specimen.build(MPI.COMM_SELF)
    solver = MechanicsSolver(
        setup.mesh, params, lambda x: np.full(x.shape[0], params.chi0),
        prescribed=setup.prescribed, linear_solver=linear,
    )
    times = driver["time_s"]
    for k in range(1, len(times)):
        converged, _ = solver.solve_step(times[k], times[k] - times[k - 1])
        assert converged
        solver.commit()
        stress = specimen.loads(solver, setup)["mean_stress_Pa"]
        assert stress == pytest.approx(driver["stress_Pa"][k], rel=1e-6, abs=1e-6 * params.s_y)
        np.testing.assert_allclose(solver.state.chi, driver["chi_K"][k], rtol=1e-6)
    assert driver["chi_K"][-1] > params.chi0 + 10.0  # the comparison covered plastic flow
