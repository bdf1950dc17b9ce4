"""Calibration of STZ-χ parameters from atomistic or experimental data (docs/model.md §5).

- ``calibrate``: least-squares fit of the homogeneous model to stress–strain curves.
- ``fit_johnson_samwer``: γ_C0, γ_C1 (and W₀) from yield stress against temperature.
- ``fit_activation_volume``: Eyring V* = Ωε₀ from the strain-rate sensitivity of flow stress.
"""

from stz_fem.calibration.calibrate import calibrate
from stz_fem.calibration.eyring import ActivationVolumeFit, fit_activation_volume
from stz_fem.calibration.johnson_samwer import (
    JohnsonSamwerFit,
    fit_johnson_samwer,
    js_barrier_from_fit,
)

__all__ = [
    "ActivationVolumeFit", "JohnsonSamwerFit", "calibrate", "fit_activation_volume",
    "fit_johnson_samwer", "js_barrier_from_fit",
]
