"""What every specimen provides, and the case sections they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from stz_fem.cases import Field, non_negative, positive
from stz_fem.fem.constraints import Periodicity, Prescribed
from stz_fem.fem.contact import PenaltyContact
from stz_fem.material import from_mapping

COMMON_SCHEMA: dict[str, Any] = {
    "specimen": Field("str"),
    "title": Field("str", ""),
    "mesh": {
        "size": positive("m"),
        "degree": Field("int", 2, choices=(1, 2)),
        # element size far from the expected band / near it (specimens that support grading)
        "grading": Field("float", 1.0, minimum=1.0, exclusive_minimum=False),
    },
    # validated by stz_fem.material.from_mapping (MODEL.md names, SI units)
    "material": Field("table", {"preset": "vitreloy1"}),
    "initial_chi": {
        "kind": Field("str", "uniform", choices=("uniform", "bumps", "random", "grid")),
        "value": Field("float", None, minimum=0.0, unit="K"),
        "bumps": Field("list", []),
        "std": non_negative("K", 0.0),
        "correlation_length": positive("m", 1.0),
        "seed": Field("int", 0),
        "file": Field("str", ""),
        "key": Field("str", "chi_K"),
        "frame": Field("int", None),
        # a gridded potential energy U (eV/atom) becomes χ = β (U − U₀) T_Z (MODEL.md §5)
        "energy_beta": Field("float", None, minimum=0.0, unit="1/eV"),
        "energy_u0": Field("float", None, unit="eV"),
    },
    "output": {
        "interval": positive("nominal strain between field outputs", 0.01),
        "fields": Field("bool", True),
    },
    "solver": {
        "chi_increment": positive("K per step", 5.0),
        "plastic_increment": positive("plastic strain per step", 5e-3),
        "stress_increment": positive("fraction of s_y per step", 0.02),
        "newton_target": Field("int", 6, minimum=1),
        "max_steps": Field("int", 100_000, minimum=1),
        # MUMPS LU, or CG + GAMG with the rigid-body near nullspace (large 3-D runs)
        "linear": Field("str", "direct", choices=("direct", "iterative")),
    },
}


NOTCH_ANGLE = Field("float", 0.0, minimum=0.0, exclusive_minimum=False, maximum=150.0,
                    unit="degrees between the flanks; 0 is a U notch")


def penalty_stiffness(case: dict) -> float:
    """Contact penalty k = ``loading.penalty`` · E / ``mesh.size`` (Pa/m): the penetration
    stays about 1/penalty of an element per unit of strain at the contact."""
    return case["loading"]["penalty"] * from_mapping(case["material"]).E / case["mesh"]["size"]


@dataclass
class Setup:
    """A built specimen: mesh, named boundary facets and constraints."""

    mesh: Any
    facets: dict[str, np.ndarray]
    prescribed: tuple[Prescribed, ...]
    periodic: tuple[Periodicity, ...] = ()
    period: tuple[float | None, ...] | None = None
    contact: PenaltyContact | None = None


@dataclass(frozen=True)
class CurveAxis:
    """One axis of run.png's load curve: the curve.csv ``column`` (in the SI unit its name
    carries) divided by ``unit``, the size in SI units of the unit that ``label`` names (1e-3
    for a length in mm, 1e9 for a stress in GPa)."""

    column: str
    unit: float
    label: str


@dataclass(frozen=True)
class CurveResults:
    """What summary.json's ``specimen_results`` reports from curve.csv's columns
    (``stz_fem.postprocess.specimen_results`` computes it); the defaults report nothing.

    Attributes:
        peak: the column whose largest value marks the peak sample.
        peak_magnitude: the peak is the largest magnitude instead (compression negative).
        report_max: report the peak column's value there, as ``max_<peak>``.
        peak_stress: report the nominal stress (Pa) and strain at the peak sample.
        at_first_flow: columns reported at the first sample with plastic flow, as
            ``plasticity_onset_<column>`` (None where the run stayed elastic).
        final: (summary key, column) pairs: the column's last value.
        at_peak: (summary key, column) pairs: the column's value at the peak sample.
        load_drops: the (position, force) columns whose force drops are reported as
            ``load_drops``; None for none.
    """

    peak: str = "mean_stress_Pa"
    peak_magnitude: bool = False
    report_max: bool = False
    peak_stress: bool = False
    at_first_flow: tuple[str, ...] = ()
    final: tuple[tuple[str, str], ...] = ()
    at_peak: tuple[tuple[str, str], ...] = ()
    load_drops: tuple[str, str] | None = None


class Specimen:
    """Base of specimens. Subclasses set ``schema`` (their geometry and loading sections) and
    implement ``build``, ``nominal_strain`` and ``loads`` (and ``end_time`` when the loading
    does not end at ``loading.end_strain``)."""

    schema: ClassVar[dict[str, Any]] = {}
    loading_axis: ClassVar[int] = 0
    strain_label: ClassVar[str] = "nominal strain"
    stress_label: ClassVar[str] = "mean stress (Pa)"
    load_columns: ClassVar[tuple[str, ...]] = ()
    """Keys of ``loads`` written to curve.csv besides ``mean_stress_Pa``."""
    load_axes: ClassVar[tuple[CurveAxis, CurveAxis] | None] = None
    """(x, y) of run.png's load curve; None: the nominal stress (GPa, ``stress_label``)
    against the nominal strain (``strain_label``)."""
    curve_results: ClassVar[CurveResults] = CurveResults()
    """What summary.json reports of the curve (``stz_fem.postprocess.specimen_results``)."""

    def __init__(self, case: dict) -> None:
        self.case = case

    def build(self, comm) -> Setup:
        raise NotImplementedError

    def nominal_strain(self, t: float) -> float:
        raise NotImplementedError

    @property
    def end_time(self) -> float:
        """Time (s) at which the nominal strain, linear in time, reaches ``loading.end_strain``
        (specimens that end elsewhere, e.g. at a depth, override this)."""
        return self.case["loading"]["end_strain"] / self.strain_rate

    @property
    def strain_rate(self) -> float:
        """Nominal strain rate, 1/s (for the first time step)."""
        return self.nominal_strain(1.0)

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        """Load measures of the current iterate; must include ``mean_stress_Pa``."""
        raise NotImplementedError

    def tensile_surface(self) -> tuple[float, float, float] | None:
        """(y, x_start, x_stop), m: the stretch of a plane face y = const where bands are
        counted (bending: ``stz_fem.postprocess.specimen_results.surface_bands``); None where
        counting does not apply."""
        return None
