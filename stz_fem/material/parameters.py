"""STZ-χ material parameters: names, units, validation and derived quantities.

Names and units follow ``docs/model.md`` §4 (SI units, temperatures in kelvin). Reading a material
from a preset, a file or a mapping is ``stz_fem.material.material_files``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticUndefined

from stz_fem.errors import InputError, key_error
from stz_fem.material.rate_terms import RATE_TERMS

K_B_EV = 8.617333262e-5
"""Boltzmann constant, eV/K."""


def number(unit: str, description: str, default: Any = PydanticUndefined, *,
            finite: bool = True, **bounds: float) -> Any:
    """A float field: strict (no strings or booleans), finite unless said otherwise, with its
    unit in the description and in ``json_schema_extra`` (for error messages)."""
    return Field(
        default, strict=True, allow_inf_nan=not finite, json_schema_extra={"unit": unit},
        description=f"{description}, {unit}" if unit else description, **bounds,
    )


class MaterialParameters(BaseModel):
    """Parameters of the STZ-χ law (docs/model.md §4). All SI; temperatures in kelvin.

    Frozen and validated on construction: every value finite and in its range (``t_r0`` may be
    inf: relaxation off). Build one with ``from_mapping``/``load`` (presets, ``E, nu``, files)
    or change one with ``replace``; the field descriptions give the units.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    G: float = number("Pa", "shear modulus", gt=0.0)
    K: float = number("Pa", "bulk modulus", gt=0.0)
    s_y: float = number("Pa", "STZ yield stress (exchange-of-stability threshold; 0: none)",
                         ge=0.0)
    tau0: float = number("s", "molecular vibration time scale", gt=0.0)
    eps0: float = number("", "STZ strain increment", gt=0.0)
    Omega: float = number("m³", "STZ volume (activation volume V* = Omega·eps0)", gt=0.0)
    Delta: float = number("K", "Eyring barrier at zero stress", ge=0.0)
    T_Z: float = number("K", "STZ formation energy e_z/k_B", ge=0.0)
    c0: float = number("", "effective specific heat of the configurational subsystem", gt=0.0)
    chi_inf: float = number("K", "steady-state effective temperature χ∞", gt=0.0)
    l_chi: float = number("m", "diffusion length of χ (0: local law)", ge=0.0)
    T: float = number("K", "bath temperature", gt=0.0)
    alpha: float = number("", "pressure sensitivity of the effective shear stress", ge=0.0)
    beta: float = number("", "dilatancy: plastic volume strain per engineering plastic shear "
                          "strain (0: isochoric flow)", 0.0, ge=0.0, lt=1.0)
    chi0: float = number("K", "initial effective temperature", gt=0.0)
    s_chi: float | None = number("Pa", "stress scale of the χ source (None: s_y)", None,
                                  gt=0.0)
    chi_T: float | None = number("K", "target of thermal χ relaxation (None: T)", None, gt=0.0)
    # inf is allowed (relaxation off); the upper bound ≤ inf rejects NaN
    t_r0: float = number("s", "prefactor of the relaxation time t_r = t_r0·exp(E_r/T) (inf: off)",
                          math.inf, finite=False, gt=0.0, le=math.inf)
    E_r: float = number("K", "activation temperature of thermal relaxation", 0.0, ge=0.0)
    rate_term: Literal[tuple(RATE_TERMS)] = Field(  # type: ignore[valid-type]
        "eyring", description="barrier W(τ) of the STZ transitions")
    W0: float | None = number("K", "Johnson–Samwer barrier at zero stress (None: derived)",
                               None, gt=0.0)
    gamma_C0: float = number("", "Johnson–Samwer critical shear strain at 0 K (τ_c = γ_C0·G)",
                              0.036, gt=0.0)
    gamma_C1: float = number("", "Johnson–Samwer thermal softening coefficient", 0.016, gt=0.0)
    barrier_spread: float = number("K", "standard deviation of the barrier (Δ or W0) over the "
                                    "STZs, Gauss–Hermite averaged in D (0: one barrier)", 0.0,
                                    ge=0.0)
    Tg: float | None = number("K", "glass transition temperature (Johnson–Samwer W0 only)",
                               None, gt=0.0)
    rate_ref: float = number("1/s", "shear rate at which gamma_C1 holds (W0 formula only)",
                              1e-4, gt=0.0)
    # Optional terms for MD ranges of temperature and rate (docs/model.md §2.3, §5); their
    # defaults leave every other material unchanged. Drivers apply them through ``effective``.
    dG_dT: float = number("Pa/K", "slope of the shear modulus G(T) = G + dG_dT·(T − T_moduli)",
                           0.0)
    T_moduli: float = number("K", "temperature at which G holds (with dG_dT)", 0.0, ge=0.0)
    chi_inf_A: float | None = number(
        "K", "A of the rate-dependent χ∞(γ̇) = max(χ∞, A/ln(1/(γ̇τ₀))) (None: off)", None,
        gt=0.0)
    k_chi: float = number(
        "", "configurational softening: s_y and the barrier's stress scale times "
        "f = exp(−k_chi·(χ − chi_s)/T_Z) (0: off)", 0.0, ge=0.0)
    chi_s: float = number("K", "χ at which the stress scales are unsoftened (with k_chi)", 0.0,
                           ge=0.0)
    eps_a: float = number(
        "", "orientation lag: ε_a of ṁ = 2C(𝒯 − m)(1 − mτ/s_y)/(ε_a τ₀), the STZ orientation m "
        "as an internal variable (Bouchbinder & Langer 2009); 0: m quasi-steady, the law of §2",
        0.0, ge=0.0)
    pe_beta: float | None = number("1/eV", "slope β of the PE→χ map χ = β(U − U₀)T_Z", None,
                                    gt=0.0)
    pe_u0: float | None = number("eV", "offset U₀ of the PE→χ map (per-atom energy)", None)
    pe_vibration: float = number(
        "", "k_B·T multiple removed from a sampled PE per atom before the map (0: inherent "
        "structure)", 1.5, ge=0.0)
    # Heating (docs/model.md §3.1): only for `stz-fem point --adiabatic` or a case's [heat]
    rho: float | None = number("kg/m³", "mass density (heating only)", None, gt=0.0)
    heat_capacity: float | None = number("J/(kg·K)", "specific heat c (heating only)", None,
                                          gt=0.0)
    conductivity: float | None = number(
        "W/(m·K)", "thermal conductivity k (conducting heat field only)", None, ge=0.0)
    heat_fraction: float = number("", "fraction ζ of the plastic work that becomes heat", 0.9,
                                   ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _consistent(self) -> MaterialParameters:
        if self.chi_stress_scale <= 0.0:
            raise key_error("s_chi", "required (> 0 Pa) when s_y = 0")
        if not self.G_at(self.T) > 0.0:
            raise key_error("dG_dT", f"G(T) = G + dG_dT·(T − T_moduli) must be > 0 at T = "
                            f"{self.T:g} K", self.dG_dT)
        if self.eps_a > 0.0 and self.s_y == 0.0:
            raise key_error("eps_a", "the orientation lag needs s_y > 0 (with s_y = 0, m is 0 "
                            "at all times)", self.eps_a)
        if (self.pe_beta is None) != (self.pe_u0 is None):
            raise key_error("pe_u0" if self.pe_u0 is None else "pe_beta",
                            "the PE→χ map needs both pe_beta (1/eV) and pe_u0 (eV)")
        if self.rate_term == "johnson-samwer" and self.W0 is None:
            problem = _js_problem(self.Tg, self.rate_ref, self.steady_attempt_rate)
            if problem is not None:
                raise key_error(*problem)
        return self

    @property
    def E(self) -> float:
        """Young's modulus, Pa."""
        return 9.0 * self.K * self.G / (3.0 * self.K + self.G)

    @property
    def nu(self) -> float:
        """Poisson's ratio."""
        return (3.0 * self.K - 2.0 * self.G) / (2.0 * (3.0 * self.K + self.G))

    @property
    def chi_stress_scale(self) -> float:
        """Stress scale of the χ source (s_chi, or s_y when unset), Pa."""
        return self.s_y if self.s_chi is None else self.s_chi

    @property
    def chi_relax_target(self) -> float:
        """χ_T, K."""
        return self.T if self.chi_T is None else self.chi_T

    @property
    def relaxation_time(self) -> float:
        """Thermal relaxation time t_r(T) = t_r0·exp(E_r/T), s (inf when off)."""
        return self.t_r0 * math.exp(min(self.E_r / self.T, 700.0))

    @property
    def tau_c(self) -> float:
        """Johnson–Samwer critical shear stress gamma_C0·G, Pa."""
        return self.gamma_C0 * self.G

    @property
    def steady_attempt_rate(self) -> float:
        """ω0 = exp(−T_Z/χ∞)/τ0, the attempt rate times the STZ density in steady flow, 1/s."""
        return math.exp(-self.T_Z / self.chi_inf) / self.tau0

    @property
    def js_barrier(self) -> float:
        """Johnson–Samwer barrier W0, K: given, or W0 = Tg·ln(ω0/γ̇_ref)·(γC0/γC1)^{3/2}
        with ω0 = ``steady_attempt_rate`` (docs/model.md §2.1)."""
        if self.W0 is not None:
            return self.W0
        return js_consistent_barrier(
            self.Tg, self.gamma_C0, self.gamma_C1, self.steady_attempt_rate, self.rate_ref
        )

    def G_at(self, T: float) -> float:
        """Shear modulus at temperature T (K), Pa: G + dG_dT·(T − T_moduli) (§2.3)."""
        return self.G + self.dG_dT * (T - self.T_moduli)

    def chi_inf_at(self, rate: float) -> float:
        """χ∞ at engineering shear rate γ̇ (1/s), K: max(χ∞, A/ln(1/(γ̇τ₀))) with A =
        ``chi_inf_A`` (Haxton & Liu 2007; Langer 2008; docs/model.md §2.3); χ∞ when off."""
        if self.chi_inf_A is None or not rate > 0.0:
            return self.chi_inf
        # γ̇τ₀ → 1 is beyond any STZ description; capped at 1/2 so χ∞ stays finite
        return max(self.chi_inf, self.chi_inf_A / math.log(1.0 / min(rate * self.tau0, 0.5)))

    def effective(self, rate: float | None = None) -> MaterialParameters:
        """The plain material the kernels integrate at this T and imposed rate γ̇ (1/s): G(T)
        and χ∞(γ̇) evaluated, their T and rate terms off. ``self`` when no term is on."""
        changes: dict[str, Any] = {}
        if self.dG_dT != 0.0:
            changes.update(G=self.G_at(self.T), dG_dT=0.0)
        if self.chi_inf_A is not None and rate is not None:
            changes.update(chi_inf=self.chi_inf_at(rate), chi_inf_A=None)
        return self.replace(**changes) if changes else self

    def heating_per_work(self) -> float:
        """ζ/(ρc), K per J/m³ of plastic work (docs/model.md §3.1); InputError without ``rho``
        or ``heat_capacity``."""
        for key, unit in (("rho", "kg/m³"), ("heat_capacity", "J/(kg·K)")):
            if getattr(self, key) is None:
                raise InputError(f"material.{key}: heating by plastic work needs it ({unit}); "
                                 "set it or use preset = \"vitreloy1\"")
        return self.heat_fraction / (self.rho * self.heat_capacity)

    def chi_of_energy(self, energy: float, T: float | None = None) -> float:
        """χ₀ (K) of a glass whose mean potential energy per atom sampled at bath temperature T
        (K; default the material's) is ``energy`` (eV): χ = β(U − c·k_B·T − U₀)T_Z with
        c = ``pe_vibration`` (docs/model.md §5).

        Raises:
            InputError: the material has no PE→χ map, or the map gives χ ≤ 0.
        """
        if self.pe_beta is None or self.pe_u0 is None:
            raise InputError("material: no PE→χ map (pe_beta, pe_u0) to set χ₀ from an energy")
        temperature = self.T if T is None else T
        inherent = energy - self.pe_vibration * K_B_EV * temperature
        chi = self.pe_beta * (inherent - self.pe_u0) * self.T_Z
        if not chi > 0.0:
            raise InputError(f"PE per atom {energy!r} eV at {temperature:g} K maps to χ = "
                             f"{chi:.4g} K ≤ 0 (U₀ = {self.pe_u0!r} eV)")
        return chi

    def replace(self, **changes: Any) -> MaterialParameters:
        """A validated copy with some parameters changed (docs/model.md names, SI units).

        Changing only E or only nu keeps the other (and switches the copy to the ``E, nu`` pair).
        """
        for key, partner in (("E", "nu"), ("nu", "E")):
            if key in changes and partner not in changes:
                changes = {**changes, partner: getattr(self, partner)}
        # material_files builds on this module; importing it here avoids the cycle
        from stz_fem.material.material_files import from_mapping, merge

        return from_mapping(merge(self.model_dump(), changes), where="material")

    def to_toml(self) -> str:
        """TOML text that ``from_mapping``/``load`` reads back to the same parameters."""
        lines = ["# STZ-χ material, SI units, temperatures in K (stz_fem, docs/model.md §4)"]
        for key, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, str):
                lines.append(f'{key} = "{value}"')
            elif math.isinf(value):
                lines.append(f"{key} = inf")
            else:
                lines.append(f"{key} = {value!r}")
        return "\n".join(lines) + "\n"


def _js_problem(Tg: float | None, rate_ref: float, omega0: float) -> tuple[str, str] | None:
    """Why the Johnson–Samwer W0 cannot be derived, as (key, reason), or None."""
    if Tg is None:
        return "W0", "the Johnson–Samwer rate term needs W0 (K) or Tg (K) to derive it"
    if not omega0 > rate_ref:
        return (
            f"rate_ref = {rate_ref!r}",
            f"must be below the steady attempt rate exp(-T_Z/chi_inf)/tau0 = {omega0:.4g} 1/s "
            "for the Johnson–Samwer W0 formula",
        )
    return None


def js_consistent_barrier(
    Tg: float | None, gamma_C0: float, gamma_C1: float, omega0: float, rate_ref: float
) -> float:
    """Johnson–Samwer barrier W0 = Tg·ln(ω0/γ̇_ref)·(γC0/γC1)^{3/2}, K (docs/model.md §2.1).

    Args:
        Tg: glass transition temperature, K.
        gamma_C0, gamma_C1: Johnson–Samwer coefficients, dimensionless.
        omega0: attempt rate times STZ density, 1/s.
        rate_ref: engineering shear rate at which gamma_C1 was measured, 1/s.

    Raises:
        InputError: no Tg, or ω0 ≤ γ̇_ref (the barrier would not be positive).
    """
    problem = _js_problem(Tg, rate_ref, omega0)
    if problem is not None:
        raise InputError(f"material.{problem[0]}: {problem[1]}")
    return Tg * math.log(omega0 / rate_ref) * (gamma_C0 / gamma_C1) ** 1.5
