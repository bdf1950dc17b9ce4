"""Closed-form predictions of the STZ-χ law that need no finite elements.

Shear-band orientation, and the softening a band needs, from the localization analysis of
Rudnicki & Rice, "Conditions for the localization of deformation in pressure-sensitive
dilatant materials", J. Mech. Phys. Solids 23, 371–394 (1975), for the law's
Drucker–Prager-type effective stress and flow rule (docs/model.md §2.2, derivation there):

    yield/rate stress  τ = s̄ − α p,                         p = −tr σ / 3 (Pa, + in compression)
    plastic flow       ε̇ᵖ = D (s/s̄ + (2β/3) I),              tr ε̇ᵖ = 2βD (β: dilatancy)

with isotropic elasticity (Poisson's ratio ν). A planar band whose normal makes the angle θ₀
with the most compressive principal axis first becomes possible (the largest hardening modulus
at which n·L·n is singular) at

    θ₀ = 45° + ½ arcsin a,    a = [(2/3)(1 + ν)(α + β) − N (1 − 2ν)] / √(4 − 3N²),

N = s_II/s̄ the intermediate principal deviatoric stress. The band *plane* then makes the angle
45° − ½ arcsin a with the most compressive principal axis. Angles are in degrees; α, β, ν and
N are dimensionless. The analysis is rate independent and takes the band normal in the plane
of the two other principal axes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BandAngles:
    """Angles (degrees) between a shear band and the loading axis of a uniaxial plane-strain
    test: ``compression`` when the loading axis is the most compressive principal axis,
    ``tension`` when it is the most tensile one (the lateral axis is then the compressive one).
    """

    compression: float
    tension: float


def plane_strain_intermediate_stress(beta: float) -> float:
    """N = s_zz/s̄ (dimensionless) of a plane-strain state whose plastic flow is plane.

    ε̇ᵖ_zz = 0 in the flow rule ε̇ᵖ = D (s/s̄ + (2β/3) I) gives s_zz = −(2β/3) s̄: zero for the
    deviatoric law (β = 0), where the out-of-plane stress relaxes to the mean in-plane stress.
    """
    return -2.0 * beta / 3.0


def rudnicki_rice_parameter(alpha: float, beta: float, nu: float, n_mid: float) -> float:
    """Rudnicki–Rice's a = sin(2θ₀ − 90°), dimensionless, not clipped.

    Args:
        alpha: pressure sensitivity α of τ = s̄ − αp (Rudnicki–Rice's friction coefficient μ).
        beta: dilatancy β, plastic volume strain per unit engineering plastic shear strain.
        nu: Poisson's ratio, in (−1, 0.5].
        n_mid: intermediate principal deviatoric stress over s̄, |n_mid| < 2/√3.
    """
    if not -1.0 < nu <= 0.5:
        raise ValueError(f"Poisson's ratio {nu} outside (-1, 0.5]")
    if not 3.0 * n_mid**2 < 4.0:
        raise ValueError(f"intermediate deviatoric stress {n_mid} outside |N| < 2/sqrt(3)")
    numerator = 2.0 / 3.0 * (1.0 + nu) * (alpha + beta) - n_mid * (1.0 - 2.0 * nu)
    return numerator / math.sqrt(4.0 - 3.0 * n_mid**2)


def band_to_compressive_axis(alpha: float, beta: float, nu: float, n_mid: float) -> float:
    """Angle (degrees) between the band plane and the most compressive principal axis.

    45° − ½ arcsin a; for |a| > 1 the largest critical modulus lies at the end of the range,
    a band parallel (a > 1, 0°) or perpendicular (a < −1, 90°) to that axis.
    """
    a = rudnicki_rice_parameter(alpha, beta, nu, n_mid)
    return 45.0 - 0.5 * math.degrees(math.asin(max(-1.0, min(1.0, a))))


def critical_hardening_modulus(alpha: float, beta: float, nu: float, n_mid: float) -> float:
    """Rudnicki–Rice's critical hardening modulus h_crit/G (dimensionless): a band can form
    once the plastic hardening modulus h = dτ/dγ̄ᵖ (τ = s̄ − αp against the engineering
    plastic shear strain; negative while the material softens) falls to h_crit·G,

        h_crit/G = (1 + ν)/(9(1 − ν)) (β − α)² − ½(1 + ν)(N + (α + β)/3)²

    (their eq. 21, the band normal at θ₀ of the module docstring). Without pressure
    sensitivity and dilatancy, −½(1 + ν)N²: zero in plane strain (N = 0: any softening
    localizes), −(1 + ν)/6 in axisymmetric states (N = ±1/√3: only a softening of about a
    fifth of G per unit plastic strain does).

    Args: as ``rudnicki_rice_parameter``.

    Raises:
        ValueError: |a| > 1, where the critical band normal lies at the end of its range and
            this closed form does not hold.
    """
    a = rudnicki_rice_parameter(alpha, beta, nu, n_mid)
    if abs(a) > 1.0:
        raise ValueError(f"Rudnicki–Rice a = {a:.4g} outside [-1, 1]: no interior band angle")
    return ((1.0 + nu) / (9.0 * (1.0 - nu)) * (beta - alpha) ** 2
            - 0.5 * (1.0 + nu) * (n_mid + (alpha + beta) / 3.0) ** 2)


def plane_strain_band_angles(alpha: float, beta: float, nu: float) -> BandAngles:
    """Rudnicki–Rice band angles (degrees from the loading axis) in plane-strain uniaxial
    compression and tension, for plane plastic flow (N = −2β/3).

    The two are symmetric about 45°: compression 45° − ½ arcsin a, tension 45° + ½ arcsin a,
    with a = [(1 + ν)(α + β) + (1 − 2ν)β] / (3√(1 − β²/3)). Requires |β| < √3.

    Args:
        alpha: pressure sensitivity α of τ = s̄ − αp, dimensionless.
        beta: dilatancy β (tr ε̇ᵖ = 2βD), dimensionless.
        nu: Poisson's ratio, dimensionless.
    """
    to_compressive = band_to_compressive_axis(
        alpha, beta, nu, plane_strain_intermediate_stress(beta)
    )
    return BandAngles(compression=to_compressive, tension=90.0 - to_compressive)


def plane_strain_zero_extension_angles(beta: float) -> BandAngles:
    """Angles (degrees from the loading axis) of the zero-extension lines of plane plastic
    flow with dilatancy β in plane-strain compression and tension: the velocity
    characteristics along which a rigid-plastic solid can slide, 45° ∓ ½ arcsin(β/r) with
    r = √(1 − β²/3).

    The plastic rate of plane flow has in-plane principal values D(β ± r) (docs/model.md
    §2.2): its dilatancy angle ψ has sin ψ = β/r, independent of α and ν. It equals the
    Rudnicki–Rice angle for β = α and is 45° for β = 0.

    Args:
        beta: dilatancy β (tr ε̇ᵖ = 2βD), dimensionless, |β| < √3.
    """
    r = math.sqrt(1.0 - beta**2 / 3.0)
    half = 0.5 * math.degrees(math.asin(beta / r))
    return BandAngles(compression=45.0 - half, tension=45.0 + half)
