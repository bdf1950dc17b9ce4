"""Indentation of a block by a rigid cylinder (plane strain) or sphere (3-D), by penalty
contact.

The block [−W/2, W/2] × [0, H] (gmsh, refined under the indenter) is clamped at y = 0; a rigid
cylinder of radius R, touching the surface at x = 0 at t = 0, moves down at constant speed.
In 3-D a sphere indents the block [−W/2, W/2] × [0, H] × [−W/2, W/2], of which the quarter
x, z ≥ 0 is meshed, with symmetry conditions on x = 0 and z = 0; forces are the whole
sphere's.
Under it a plastic zone grows with shear-band families (Su & Anand 2006 saw semicircular and
radial ones). The curve reports depth, force per unit length and the contact half-width; the
summary the depth where plastic flow starts and load drops along the way. With
``loading.machine_stiffness`` the indenter hangs on the spring of a compliant machine whose end
moves at the indenter velocity (``fem.machine.Machine``): depth_m is then the indenter's, and
the elastic energy of the spring can drive pop-ins.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import numpy as np
from mpi4py import MPI
from pydantic import Field

from stz_fem.cases import Case, Section
from stz_fem.errors import InputError
from stz_fem.fem.constraints import Prescribed
from stz_fem.fem.contact import (
    PenaltyContact,
    RigidIndenter,
    evaluate,
    hertz_half_width_from_moments,
    hertz_sphere_radius_from_moments,
)
from stz_fem.fem.machine import Machine
from stz_fem.meshing import cached_mesh, indented_block, indented_quarter_block
from stz_fem.specimens.base import (
    CurveAxis,
    CurveResults,
    Setup,
    Specimen,
    machine_stiffness,
    named_facets,
    penalty,
    penalty_stiffness,
)


class Indentation(Specimen):
    name = "indentation"

    class Geometry(Section):
        width: float = Field(4e-3, gt=0.0, description="m")
        height: float = Field(2e-3, gt=0.0, description="m")
        indenter_radius: float = Field(1e-3, gt=0.0, description="m")
        refine_radius: float = Field(0.3e-3, gt=0.0,
                                     description="m (mesh.size applies within it)")
        dimension: int = Field(2, ge=2, le=3)  # not Literal[2, 3]: it would take true

    class Loading(Section):
        indenter_velocity: float = Field(1e-6, gt=0.0, description="m/s")
        end_depth: float = Field(20e-6, gt=0.0, description="m")
        penalty: float = penalty()
        machine_stiffness: float | None = machine_stiffness()

    loading_axis = 1
    strain_label = "depth / indenter radius"
    stress_label = "mean contact pressure (Pa)"
    load_columns = ("depth_m", "force_N_per_m", "contact_half_width_m",
                    "machine_displacement_m")

    def __init__(self, case: Case) -> None:
        super().__init__(case)
        self._forms: dict | None = None
        self.dimension = self.gdim = case.geometry.dimension
        if self.dimension == 3:
            self.load_columns = ("depth_m", "force_N", "contact_radius_m",
                                 "machine_displacement_m")
        force = self.load_columns[1]
        self.load_axes = (CurveAxis("depth_m", 1e-6, "depth (µm)"),
                          CurveAxis(force, 1.0, "force (N)") if self.dimension == 3 else
                          CurveAxis(force, 1e3, "force per unit thickness (kN/m)"))
        # the depth and force where plastic flow starts (first D > 0), the peak force, and
        # the force drops while the machine advances (pop-ins)
        self.curve_results = CurveResults(peak=force, report_max=True,
                                          at_first_flow=("depth_m", force),
                                          load_drops=("machine_displacement_m", force))
        g, depth = case.geometry, case.loading.end_depth
        if not depth < min(g.height, g.indenter_radius):
            raise InputError(f"loading.end_depth = {depth:g}: must be below the block height "
                             f"({g.height:g} m) and the indenter radius ({g.indenter_radius:g} m)")
        if not g.refine_radius < min(0.5 * g.width, g.height):
            raise InputError(f"geometry.refine_radius = {g.refine_radius:g}: the fine zone must "
                             f"lie inside the block (< width/2 = {0.5 * g.width:g} m and < height "
                             f"= {g.height:g} m)")

    def domain_measure(self) -> float:
        g = self.case.geometry
        return g.width * g.height * (1.0 if self.dimension == 2 else 0.25 * g.width)

    def build(self, comm: MPI.Comm) -> Setup:
        g, mesh_case, loading = self.case.geometry, self.case.mesh, self.case.loading
        size, dim = mesh_case.size, self.dimension
        builder = indented_block if dim == 2 else indented_quarter_block
        data = cached_mesh(builder.__name__, builder, {
            "width": g.width, "height": g.height, "size_contact": size,
            "size_far": size * mesh_case.grading, "refine_radius": g.refine_radius,
        }, comm, dim)
        names = ("bottom", "top") if dim == 2 else ("bottom", "top", "symmetry_x", "symmetry_z")
        facets = named_facets(data, names)
        prescribed = [Prescribed(facets["bottom"], None)]
        if dim == 3:
            prescribed += [Prescribed(facets["symmetry_x"], 0),
                           Prescribed(facets["symmetry_z"], 2)]
        R = g.indenter_radius
        indenter = PenaltyContact(
            (RigidIndenter(R, (0.0, g.height + R, 0.0)[:dim], loading.indenter_velocity),),
            stiffness=penalty_stiffness(self.case),
            facets=facets["top"],
        )
        k = loading.machine_stiffness
        v = loading.indenter_velocity
        # a compliant machine carries the indenter on its spring (3-D: the quarter model's
        # spring is a quarter of the machine's)
        machine = None if k is None else Machine(
            k if dim == 2 else 0.25 * k, lambda t: v * t, contact=indenter)
        return Setup(data.mesh, facets, tuple(prescribed), contact=indenter, machine=machine)

    limits_steps = True

    def step_ratio(self, before: dict[str, float], after: dict[str, float]) -> float:
        """Growth of the contact size over a step in elements under the indenter
        (``mesh.size``). The contact itself has no history (frictionless, solved implicitly
        at the end of each step), but the surface it overruns does: a step that spreads the
        contact by more than an element loads the elements at its edge in one go, skipping
        the path their plastic state follows."""
        key = self.load_columns[2]
        return abs(after[key] - before[key]) / self.case.mesh.size

    def nominal_strain(self, t: float) -> float:
        return self.case.loading.indenter_velocity * t / self.case.geometry.indenter_radius

    @property
    def end_time(self) -> float:
        return self.case.loading.end_depth / self.case.loading.indenter_velocity

    def loads(self, solver, setup: Setup) -> dict[str, float]:
        if self._forms is None:
            self._forms = setup.contact.forms(solver.u, solver.time_constant,
                                              depth=solver.grip_constant)
        values = evaluate(self._forms, solver.mesh.comm)
        machine = self.case.loading.indenter_velocity * solver.time
        grip = solver.grip_displacement()
        depth = machine if grip is None else grip
        if self.dimension == 2:
            a = hertz_half_width_from_moments(values["moment0"], values["moment2"])
            force = values["force"]
            return {"mean_stress_Pa": force / (2.0 * a) if a > 0.0 else 0.0, "depth_m": depth,
                    "force_N_per_m": force, "contact_half_width_m": a,
                    "machine_displacement_m": machine}
        a = hertz_sphere_radius_from_moments(values["moment0"], values["moment2"])
        force = 4.0 * values["force"]  # the meshed quarter carries a quarter of it
        return {"mean_stress_Pa": force / (np.pi * a**2) if a > 0.0 else 0.0, "depth_m": depth,
                "force_N": force, "contact_radius_m": a, "machine_displacement_m": machine}
