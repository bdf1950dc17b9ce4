"""Rudnicki–Rice band angles (stz_fem.theory): limits, symmetric cases, a hand value, and a
direct check against the singular acoustic tensor of the elastic-plastic tangent."""

import math

import numpy as np
import pytest

from stz_fem import theory


@pytest.mark.parametrize("nu", [0.0, 0.25, 0.35, 0.5])
def test_pressure_insensitive_non_dilatant_law_bands_at_45_degrees(nu):
    angles = theory.plane_strain_band_angles(0.0, 0.0, nu)
    assert angles.compression == pytest.approx(45.0, abs=1e-12)
    assert angles.tension == pytest.approx(45.0, abs=1e-12)


@pytest.mark.parametrize(("alpha", "beta"), [(0.1, 0.0), (0.3, 0.0), (0.3, 0.1), (0.2, 0.4)])
def test_compression_and_tension_are_symmetric_about_45_degrees(alpha, beta):
    angles = theory.plane_strain_band_angles(alpha, beta, 0.35)
    assert angles.compression < 45.0 < angles.tension
    assert angles.compression + angles.tension == pytest.approx(90.0, abs=1e-12)


@pytest.mark.parametrize("alpha", [0.1, 0.3])
@pytest.mark.parametrize("nu", [0.0, 0.2, 0.35, 0.5])
def test_associated_flow_gives_the_coulomb_angle_for_any_poisson_ratio(alpha, nu):
    """β = α (normality): the in-plane friction angle is sin φ = α/√(1 − α²/3) and the band
    lies at 45° ∓ φ/2, independent of the elasticity."""
    phi = math.degrees(math.asin(alpha / math.sqrt(1.0 - alpha**2 / 3.0)))
    angles = theory.plane_strain_band_angles(alpha, alpha, nu)
    assert angles.compression == pytest.approx(45.0 - phi / 2.0, abs=1e-12)
    assert angles.tension == pytest.approx(45.0 + phi / 2.0, abs=1e-12)


def test_hand_computed_non_dilatant_angles():
    # α = 0.3, β = 0, ν = 0.35: N = 0, a = (2/3)(1.35)(0.3)/2 = 0.135;
    # arcsin 0.135 = 0.135 + 0.135³/6 + 3·0.135⁵/40 = 0.1354135 rad = 7.7586°; half 3.8793°
    assert theory.rudnicki_rice_parameter(0.3, 0.0, 0.35, 0.0) == pytest.approx(0.135, rel=1e-14)
    angles = theory.plane_strain_band_angles(0.3, 0.0, 0.35)
    assert angles.compression == pytest.approx(41.1207, abs=1e-4)
    assert angles.tension == pytest.approx(48.8793, abs=1e-4)
    # associated, α = β = 0.3: a = 0.3/√0.97 = 0.304604, arcsin = 17.7343°, half 8.8672°
    assert theory.plane_strain_band_angles(0.3, 0.3, 0.35).compression == pytest.approx(
        36.1328, abs=1e-4)


def test_beyond_the_range_the_band_is_parallel_to_the_compressive_axis():
    assert theory.band_to_compressive_axis(2.0, 0.0, 0.5, 0.0) == 0.0
    with pytest.raises(ValueError, match="Poisson"):
        theory.plane_strain_band_angles(0.1, 0.0, 0.6)


def _critical_modulus(n, stress_dev_hat, alpha, beta, nu):
    """Hardening modulus (up to a constant) at which n·L·n is singular, for the tangent
    L = C − (C:P)⊗(Q:C)/(h + Q:C:P), Q = ŝ/2 + (α/3)I, P = ŝ/2 + (β/3)I (G = 1)."""
    g, k = 1.0, 2.0 * (1.0 + nu) / (3.0 * (1.0 - 2.0 * nu))
    eye = np.eye(3)
    q = stress_dev_hat / 2.0 + alpha / 3.0 * eye
    p = stress_dev_hat / 2.0 + beta / 3.0 * eye
    c_p = 2.0 * g * p + (k - 2.0 * g / 3.0) * np.trace(p) * eye
    c_q = 2.0 * g * q + (k - 2.0 * g / 3.0) * np.trace(q) * eye
    acoustic = g * eye + (k + g / 3.0) * np.outer(n, n)
    return (c_q @ n) @ np.linalg.solve(acoustic, c_p @ n)


@pytest.mark.parametrize(("alpha", "beta", "nu"), [(0.1, 0.0, 0.35), (0.3, 0.0, 0.35),
                                                    (0.3, 0.15, 0.3), (0.25, 0.25, 0.2)])
@pytest.mark.parametrize("loading", ["compression", "tension"])
def test_closed_form_maximizes_the_critical_modulus(alpha, beta, nu, loading):
    """Scan band normals n = (cos θ, sin θ, 0) for the largest critical hardening modulus in
    plane strain, loading axis y, out-of-plane ŝ_zz = −2β/3 (plane plastic flow)."""
    r = math.sqrt(1.0 - beta**2 / 3.0)
    s_y = beta / 3.0 - r if loading == "compression" else beta / 3.0 + r
    s_hat = np.diag([2.0 * beta / 3.0 - s_y, s_y, -2.0 * beta / 3.0])
    assert np.trace(s_hat) == pytest.approx(0.0, abs=1e-15)
    assert np.sum(s_hat**2) == pytest.approx(2.0)  # s̄ = √(s:s/2) = 1
    theta = np.linspace(0.0, math.pi / 2, 200001)
    h = [_critical_modulus(np.array([math.cos(t), math.sin(t), 0.0]), s_hat, alpha, beta, nu)
         for t in theta[::100]]
    coarse = theta[::100][int(np.argmax(h))]
    fine = theta[np.abs(theta - coarse) <= 1e-3]
    h = [_critical_modulus(np.array([math.cos(t), math.sin(t), 0.0]), s_hat, alpha, beta, nu)
         for t in fine]
    # the band runs along (−sin θ, cos θ): its angle to the loading axis y is θ
    measured = math.degrees(fine[int(np.argmax(h))])
    expected = getattr(theory.plane_strain_band_angles(alpha, beta, nu), loading)
    assert measured == pytest.approx(expected, abs=2e-3)


@pytest.mark.parametrize("beta", [0.0, 0.05, 0.15, 0.3])
def test_zero_extension_angle_is_the_associated_rudnicki_rice_angle(beta):
    """45° ∓ ½ arcsin(β/r) equals the Rudnicki–Rice angle of β = α for any ν, 45° for β = 0."""
    from stz_fem.theory import plane_strain_band_angles, plane_strain_zero_extension_angles

    kinematic = plane_strain_zero_extension_angles(beta)
    for nu in (0.2, 0.35, 0.45):
        rr = plane_strain_band_angles(beta, beta, nu)
        assert kinematic.compression == pytest.approx(rr.compression, abs=1e-12)
        assert kinematic.tension == pytest.approx(rr.tension, abs=1e-12)


@pytest.mark.parametrize(("alpha", "beta", "nu"), [(0.0, 0.0, 0.35), (0.3, 0.0, 0.35),
                                                    (0.3, 0.15, 0.3), (0.044, 0.02, 0.35)])
@pytest.mark.parametrize("n_mid", [0.0, 0.3, 1.0 / math.sqrt(3.0), -1.0 / math.sqrt(3.0)])
def test_critical_modulus_is_the_largest_singular_one_over_all_band_normals(
        alpha, beta, nu, n_mid):
    """h_crit/G against the acoustic tensor itself: the largest h at which n·L·n is singular,
    over band normals in the plane of the extreme principal axes and over the whole sphere
    (so the closed form's normal is the critical one for any stress state N)."""
    root = math.sqrt(4.0 - 3.0 * n_mid**2)
    s_hat = np.diag([(root - n_mid) / 2.0, n_mid, -(root + n_mid) / 2.0])
    assert np.sum(s_hat**2) == pytest.approx(2.0)  # s̄ = 1
    bulk = 2.0 * (1.0 + nu) / (3.0 * (1.0 - 2.0 * nu))
    q_c_p = 1.0 + bulk * alpha * beta  # Q:C:P with G = 1

    def h(normals):
        return np.array([_critical_modulus(n, s_hat, alpha, beta, nu) for n in normals]) - q_c_p

    theta = np.linspace(0.0, math.pi, 20001)
    in_plane = h(np.column_stack([np.cos(theta), np.zeros_like(theta), np.sin(theta)])).max()
    expected = theory.critical_hardening_modulus(alpha, beta, nu, n_mid)
    assert in_plane == pytest.approx(expected, abs=1e-7)
    # a Fibonacci lattice of 20 000 normals over the half sphere finds nothing higher
    k = np.arange(20000) + 0.5
    z = 1.0 - k / 20000
    phi = math.pi * (1.0 + math.sqrt(5.0)) * k
    sphere = np.column_stack([np.sqrt(1 - z**2) * np.cos(phi), np.sqrt(1 - z**2) * np.sin(phi), z])
    assert h(sphere).max() <= expected + 1e-9


def test_localization_needs_strong_softening_off_plane_strain():
    """Without α and β: any softening localizes in plane strain (N = 0), while an
    axisymmetric state needs h ≤ −(1 + ν)G/6; a band normal at the end of its range is
    refused rather than given the interior formula."""
    assert theory.critical_hardening_modulus(0.0, 0.0, 0.35, 0.0) == 0.0
    assert theory.critical_hardening_modulus(0.0, 0.0, 0.35, 1 / math.sqrt(3.0)) == \
        pytest.approx(-1.35 / 6.0, rel=1e-14)
    with pytest.raises(ValueError, match="outside"):
        theory.critical_hardening_modulus(3.0, 0.0, 0.5, 0.0)
