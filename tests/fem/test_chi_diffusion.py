"""The χ diffusion correction: exact local law without flow, Gaussian spreading, conservation."""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import itertools

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from mpi4py import MPI

from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.quadrature import QuadratureSpace


def setup(n=64, length=1.0):
    msh = dmesh.create_rectangle(
        MPI.COMM_SELF, [np.array([-length, -length]), np.array([length, length])], [n, n],
        diagonal=dmesh.DiagonalType.crossed,
    )
    q = QuadratureSpace(msh, 2)
    return q, q.point_coordinates()


def test_no_flow_leaves_chi_exactly_local():
    q, x = setup(16)
    diffusion = ChiDiffusion(q, c0=0.4, l_chi=0.1)
    chi = 600 + 200 * np.exp(-np.sum(x**2, axis=1) / 0.02)
    before = chi.copy()
    diffusion.apply(chi, np.zeros(q.size), dt=10.0)
    assert np.array_equal(chi, before)


def test_gaussian_spreads_as_the_heat_equation_and_conserves_chi():
    """Uniform D: c0 χ̇ = ℓ²D ∇²χ, so a Gaussian of variance s² keeps its integral and its
    peak falls as s²/(s² + 2κt), κ = ℓ²D/c0 (2-D)."""
    q, x = setup(64)
    c0, l_chi, rate = 0.4, 0.05, 2.0
    kappa = l_chi**2 * rate / c0
    s2, amplitude = 0.01, 100.0
    chi = 500 + amplitude * np.exp(-np.sum(x**2, axis=1) / (2 * s2))
    diffusion = ChiDiffusion(q, c0=c0, l_chi=l_chi)
    weights = q._point_weight.ravel()
    total = weights @ chi
    t, dt = 0.0, 0.002
    for _ in range(50):
        diffusion.apply(chi, np.full(q.size, rate), dt)
        t += dt
    assert weights @ chi == pytest.approx(total, rel=1e-12)
    peak = chi.max() - 500
    expected = amplitude * s2 / (s2 + 2 * kappa * t)
    assert peak == pytest.approx(expected, rel=0.03)
    assert peak < 0.9 * amplitude  # it did spread measurably (expected: 0.8)


def test_a_saturated_band_stays_below_chi_inf():
    """A band one or two elements wide with its points at χ∞ (a plateau with sharp edges),
    diffusing over more than an element per step: χ stays within [far field, χ∞] (maximum
    principle). The P1 correction overshoots at the sharp edges, and ``apply`` clips that: the
    clip is bounded here, 11 % of the jump at the first step (measured 134 K of 1230 K) and
    under 0.5 % once the edges are smooth, so it trims the overshoot and does not shape the
    solution."""
    q, x = setup(32)
    chi_inf = 1730.0
    chi = np.where(np.abs(x[:, 1]) < 0.07, chi_inf, 500.0)
    diffusion = ChiDiffusion(q, c0=0.4, l_chi=0.05)
    rate = np.where(np.abs(x[:, 1]) < 0.1, 1e3, 1.0)
    clipped = []
    for _ in range(5):
        diffusion.apply(chi, rate, 1e-3)
        clipped.append(diffusion.clipped_K)
    jump = chi_inf - 500.0
    assert clipped[0] < 0.12 * jump
    assert all(later < earlier for earlier, later in itertools.pairwise(clipped[:4]))
    assert clipped[-1] < 0.005 * jump
    assert chi.max() <= chi_inf and chi.min() >= 500.0
    assert np.count_nonzero((chi > 500.0) & (np.abs(x[:, 1]) > 0.07)) > 0  # it did spread


def test_sub_element_variation_diffuses_where_chi_flows():
    """χ differing between the points of one cell (which P1 cannot carry) decays like the
    shortest resolved mode where D > 0, and stays where D = 0."""
    q, x = setup(16)
    c0, l_chi = 0.4, 0.05
    pattern = np.tile(np.arange(q.n_qp) - (q.n_qp - 1) / 2, q.n_cells)  # zero mean per cell
    chi = 800.0 + 50.0 * pattern
    flowing = x[:, 0] > 0.0
    rate = np.where(flowing, 1.0, 0.0)
    dt = 0.1
    diffusion = ChiDiffusion(q, c0=c0, l_chi=l_chi)
    diffusion.apply(chi, rate, dt)
    centre = np.repeat(x.reshape(-1, q.n_qp, 2).mean(axis=1), q.n_qp, axis=0)
    cell_x = centre[:, 0]
    # flowing cells away from the front and the boundary, where the P1 part is flat
    inside = (cell_x > 0.2) & (np.abs(centre) < 0.8).all(axis=1)
    spread = chi[inside].reshape(-1, q.n_qp).std(axis=1)
    h = np.sqrt(2.0 * q.cell_volume[0])
    expected = 50.0 * np.std(np.arange(q.n_qp)) * np.exp(-(l_chi**2 / c0) * (np.pi / h) ** 2 * dt)
    assert spread == pytest.approx(expected, rel=0.05)
    assert expected < 0.5 * 50.0 * np.std(np.arange(q.n_qp))  # a measurable decay
    still = (cell_x < -0.5) & (np.abs(centre) < 0.8).all(axis=1)  # D = 0: no decay
    kept = chi[still].reshape(-1, q.n_qp).std(axis=1)
    assert kept == pytest.approx(50.0 * np.std(np.arange(q.n_qp)), rel=1e-3)
