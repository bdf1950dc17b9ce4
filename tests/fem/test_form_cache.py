"""Per-run numbers are runtime constants: changing them reuses the compiled forms.

Values baked into a form as literals make every new velocity, radius or l_chi a new JIT
compile (and an infinite one reached the generated C code). The compiled module of a form
depends only on its symbolic signature, so two runs that differ in such numbers must get the
same module.
"""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from dolfinx import fem, mesh
from mpi4py import MPI

from stz_fem.fem.chi_diffusion import ChiDiffusion
from stz_fem.fem.contact import PenaltyContact, RigidIndenter
from stz_fem.fem.quadrature import QuadratureSpace


def _unit_square():
    return mesh.create_unit_square(MPI.COMM_SELF, 4, 4)


def test_contact_forms_do_not_depend_on_radius_position_speed_or_stiffness():
    msh = _unit_square()
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1, (2,))))
    t = fem.Constant(msh, 0.0)
    top = mesh.locate_entities_boundary(msh, 1, lambda x: np.isclose(x[1], 1.0))
    modules = []
    for radius, speed, k in ((0.5, 1e-6, 1e9), (2.0, 3e-3, 7e12)):
        contact = PenaltyContact((RigidIndenter(radius, (0.5, 1.0 + radius), speed),), k, top)
        modules.append(fem.form(contact.energy(u, t)).module)
        modules.append(contact.forms(u, t)["force"].module)
    assert modules[0] is modules[2] and modules[1] is modules[3]


def test_chi_diffusion_forms_do_not_depend_on_c0_or_l_chi():
    q = QuadratureSpace(_unit_square(), 2)
    first, second = ChiDiffusion(q, 0.4, 1e-3), ChiDiffusion(q, 0.9, 5e-2)
    try:
        assert first.lhs.module is second.lhs.module
        assert first.project_rhs.module is second.project_rhs.module
    finally:
        first.destroy()
        second.destroy()
