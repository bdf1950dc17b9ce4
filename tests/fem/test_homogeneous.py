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
    end = 0.06 if kind == "simple-shear" else 0.04
    driver, _ = _follow(params, dimension, kind, linear, 1e-3, end)
    assert driver["chi_K"][-1] > params.chi0 + 10.0  # the comparison covered plastic flow


@pytest.mark.parametrize(("dimension", "kind", "linear"), [
    (3, "simple-shear", "direct"), (2, "uniaxial-tension", "direct"),
    (3, "simple-shear", "iterative")])
def test_block_with_the_orientation_lag_follows_the_driver(dimension, kind, linear):
    """The tensor update of docs/model.md §2.4 in the finite-element solver: the orientation M
    is a quadrature-point state like χ (plane strain: M has a 33 component). The iterative
    solver runs GMRES: the lagged tangent is not symmetric in general."""
    params = load("cu50zr50").replace(
        rate_term="johnson-samwer", W0=1700.0, gamma_C0=0.1, chi0=4000.0, chi_inf=7000.0,
        c0=5.0, T=300.0, G=23e9, eps_a=2.0)
    driver, solver = _follow(params, dimension, kind, linear, 1e9, 0.08)
    if linear == "iterative":
        assert solver.snes.getKSP().getType() == "gmres"
    assert driver["chi_K"][-1] > params.chi0 + 10.0
    orientation = solver.state.orientation
    assert np.abs(orientation).max() > 0.1  # m has grown from the unoriented glass
    np.testing.assert_allclose(orientation, np.broadcast_to(orientation[0], orientation.shape),
                               rtol=1e-6, atol=1e-9)


def _follow(params, dimension, kind, linear, rate, end):
    """The material-point curve and a block that took its time steps, checked step by step."""
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
    return driver, solver
