"""Finite-element machinery (DOLFINx): constraints, quadrature state, χ diffusion, solver.

``dolfinx_solver`` must be imported before DOLFINx or petsc4py: it loads the PETSc, MUMPS and
MPICH libraries that the wheel ships.
"""

import dolfinx_solver  # noqa: F401  (must precede dolfinx and petsc4py)
