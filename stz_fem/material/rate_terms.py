"""Rate terms: the activation barrier W(τ) of STZ transitions (docs/model.md §2.1).

A rate term is a compiled function ``barrier(tau, b0, b1) -> (W, dW/dτ, ΔW, dΔW/dτ)`` giving the
forward barrier W(τ) and the asymmetry ΔW = W(−τ) − W(τ) ≥ 0 (K; τ in Pa), and the two constants
``(b0, b1)`` it takes from the parameters. ΔW is returned directly because forming it from two
barriers of order Δ loses all digits at small stress.
To add a rate term: write its barrier below, give it a code in ``RATE_TERMS`` and a branch in
``barrier``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from numba import njit

K_B = 1.380649e-23
"""Boltzmann constant, J/K."""


@njit(cache=True)
def eyring(tau: float, b0: float, b1: float) -> tuple[float, float, float, float]:
    """Linear barrier W(±τ) = Δ ∓ (Ωε₀/k_B)τ; b0 = Δ (K), b1 = Ωε₀/k_B (K/Pa)."""
    return b0 - b1 * tau, -b1, 2.0 * b1 * tau, 2.0 * b1


@njit(cache=True)
def johnson_samwer(tau: float, b0: float, b1: float) -> tuple[float, float, float, float]:
    """Fold-catastrophe barrier W(τ) = W₀(1 − τ/τ_c)₊^{3/2}; b0 = W₀ (K), b1 = τ_c (Pa)."""
    x = tau / b1
    forward = max(1.0 - x, 0.0)
    backward = 1.0 + x
    w_fwd = forward * math.sqrt(forward)
    w_bwd = backward * math.sqrt(backward)
    slope = 1.5 * b0 / b1
    d_fwd = -slope * math.sqrt(forward)
    d_bwd = slope * math.sqrt(backward)
    if x < 1.0:
        # a^{3/2} − b^{3/2} = (a³ − b³)/(a^{3/2} + b^{3/2}), and (1+x)³ − (1−x)³ = 6x + 2x³
        asym = b0 * (6.0 * x + 2.0 * x**3) / (w_bwd + w_fwd)
    else:
        asym = b0 * w_bwd
    return b0 * w_fwd, d_fwd, asym, d_bwd - d_fwd


@njit(cache=True)
def barrier(code: int, tau: float, b0: float, b1: float) -> tuple[float, float, float, float]:
    """W(τ), W'(τ), ΔW = W(−τ) − W(τ) and ΔW'(τ) of the rate term with the given code, K, K/Pa."""
    if code == 1:
        return johnson_samwer(tau, b0, b1)
    return eyring(tau, b0, b1)


@dataclass(frozen=True)
class RateTerm:
    """A registered rate term: its code in ``barrier`` and how to get (b0, b1) from parameters."""

    code: int
    constants: Callable[[Any], tuple[float, float]]


RATE_TERMS: dict[str, RateTerm] = {
    "eyring": RateTerm(0, lambda p: (p.Delta, p.Omega * p.eps0 / K_B)),
    "johnson-samwer": RateTerm(1, lambda p: (p.js_barrier, p.tau_c)),
}
"""Rate terms by the name a material file uses (``rate_term = "..."``)."""
