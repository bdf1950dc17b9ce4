"""LAMMPS output readers and atomistic measures used to calibrate the STZ-χ model.

Readers (values in the LAMMPS units of the run; ``units`` converts a unit style to SI):
``lammps_log`` (thermo blocks of every run), ``ave_time`` (fix ave/time files), ``lammps_dump``
(text/gzip dumps, orthogonal or triclinic ``box``), ``grid_fields`` (.npz grids in metres).

Measures: ``d2min`` (Falk–Langer non-affine displacement, periodic ``neighbours``),
``coarse_grain`` (Gaussian kernel onto grids or arbitrary points), ``energy_chi`` (species
offsets and χ = β(U − U₀)T_Z), ``grid_band`` (centre and FWHM of a band parallel to x; the 1-D
helpers are in ``stz_fem.postprocess.profiles``). Bad input raises
``stz_fem.errors.InputError``.
"""
