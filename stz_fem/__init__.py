"""stz_fem: finite-element STZ-χ plasticity for shear banding in amorphous solids.

The physics (``stz_fem.material``) is pure numpy/numba and importable without DOLFINx;
the finite-element machinery lives in ``stz_fem.fem``.
"""

__version__ = "0.1.0"
