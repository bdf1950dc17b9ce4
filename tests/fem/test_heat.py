"""The temperature field (docs/model.md §3.1): adiabatic heating, conduction against an
analytic solution, the isothermal option unchanged, and restarts that keep T."""

import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

import json
from pathlib import Path

import numpy as np
import pytest
from dolfinx import fem, mesh
from mpi4py import MPI

from stz_fem.cases import HEAT_ONLY, read_case
from stz_fem.cli import main
from stz_fem.errors import InputError
from stz_fem.fem.heat import HeatField
from stz_fem.fem.quadrature import QuadratureSpace
from stz_fem.fem.solver import MechanicsSolver
from stz_fem.material import load
from stz_fem.material.mandel import equivalent_shear_stress
from stz_fem.material_point import Loading, read_curve, run
from stz_fem.simulation import Simulation
from stz_fem.specimens import load_case

VIT = load("vitreloy1").replace(conductivity=18.0)
CASE = Path(__file__).resolve().parents[2] / "cases" / "shear_strip.toml"
COARSE = ["mesh.size=4e-3", "mesh.grading=2.0", "loading.end_strain=0.06",
          "output.fields=false"]


@pytest.mark.parametrize("conducting", [False, True])
def test_homogeneous_block_heats_as_the_material_point_and_by_its_plastic_work(conducting):
    """Simple shear of an insulated block at 1/s: the field stays uniform (conduction has
    nothing to do), follows `stz-fem point --adiabatic` step by step, and its rise is
    ∫ζ·2Ds̄ dt/(ρc) to 1e-3 (trapezoid rule over the steps)."""
    rate, end = 1.0, 0.2
    driver = run(VIT, Loading("simple-shear", rate=rate, strain=end, plane_strain=True),
                 adiabatic=True)
    specimen = load_case({
        "specimen": "block", "mesh": {"size": 0.5, "degree": 2},
        "loading": {"kind": "simple-shear", "rate": rate, "end_strain": end},
    })
    setup = specimen.build(MPI.COMM_SELF)
    solver = MechanicsSolver(setup.mesh, VIT, lambda x: np.full(x.shape[0], VIT.chi0),
                             prescribed=setup.prescribed)
    heat = HeatField(solver.q, VIT, conducting)
    solver.temperature = heat.temperature
    times, power = driver["time_s"], [0.0]
    for k in range(1, len(times)):
        dt = times[k] - times[k - 1]
        assert solver.solve_step(times[k], dt)[0]
        solver.commit()
        sbar = equivalent_shear_stress(solver.stress)
        heat.apply(solver.rate, sbar, dt)
        power.append(float(np.mean(2.0 * solver.rate * sbar)))
        np.testing.assert_allclose(heat.temperature, driver["temperature_K"][k], rtol=1e-6)
    stress = specimen.loads(solver, setup)["mean_stress_Pa"]
    assert stress == pytest.approx(driver["stress_Pa"][-1], rel=1e-6)
    rise = heat.temperature.mean() - VIT.T
    expected = VIT.heat_fraction * np.trapezoid(power, times) / (VIT.rho * VIT.heat_capacity)
    assert expected > 30.0
    assert rise == pytest.approx(expected, rel=1e-3)
    heat.destroy()
    solver.destroy()


def sine_mode_error(n: int, steps: int) -> float:
    """Largest nodal error of T − T₀ = A sin(πx/L) e^{−κπ²t/L²} on a bar of n elements whose
    ends are held at T₀, after one decay time in ``steps`` implicit steps, relative to A."""
    length, amplitude = 1e-3, 50.0
    bar = mesh.create_rectangle(MPI.COMM_SELF, [[0.0, 0.0], [length, length / n]], [n, 1])
    ends = mesh.locate_entities_boundary(
        bar, 1, lambda x: np.isclose(x[0], 0.0) | np.isclose(x[0], length))
    q = QuadratureSpace(bar, 2)
    heat = HeatField(q, VIT, True, fixed=((ends, VIT.T),))
    heat.field.interpolate(lambda x: VIT.T + amplitude * np.sin(np.pi * x[0] / length))
    heat.restored()
    kappa = VIT.conductivity / (VIT.rho * VIT.heat_capacity)
    decay_time = length**2 / (kappa * np.pi**2)
    for _ in range(steps):
        heat.apply(np.zeros(q.size), np.zeros(q.size), decay_time / steps)
    exact = fem.Function(heat.field.function_space)
    exact.interpolate(lambda x: VIT.T + amplitude * np.exp(-1.0)
                      * np.sin(np.pi * x[0] / length))
    error = np.abs(heat.field.x.array - exact.x.array).max() / amplitude
    heat.destroy()
    return error


def test_conduction_converges_to_the_decaying_sine_mode_at_second_order():
    """Fixed ends, no source: errors fall 4× when h halves and Δt quarters (h², Δt)."""
    errors = [sine_mode_error(n, n * n // 8) for n in (8, 16, 32)]
    assert errors[-1] < 2e-3
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:])) / 1.0
    assert np.all(rates > 1.8), (errors, rates)


def test_isothermal_section_is_the_run_without_heat_bit_for_bit(tmp_path):
    curves = []
    for name, extra in (("plain", []), ("isothermal", ['heat.mode="isothermal"'])):
        with Simulation(read_case(CASE, [*COARSE, *extra]), tmp_path / name,
                        MPI.COMM_SELF) as sim:
            sim.run(progress=False)
        curves.append((tmp_path / name / "curve.csv").read_text())
    assert curves[0] == curves[1]
    assert "temperature" not in curves[0]
    # summaries and checkpoints of runs from before the option still match this case
    case = json.loads((tmp_path / "plain" / "summary.json").read_text())["case"]
    assert "heat" not in case and not set(HEAT_ONLY) & set(case["material"])


def test_conducting_strip_heats_the_band_and_a_restart_keeps_the_temperature(tmp_path):
    heat = ['heat.mode="conducting"', "material.conductivity=18.0",
            "heat.boundary.top={temperature=400.0}", "heat.boundary.bottom={temperature=400.0}"]
    args = [f"--set={o}" for o in (*COARSE, *heat)] + ["--quiet"]
    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["run", str(CASE), "--out", str(full), *args]) == 0
    assert main(["run", str(CASE), "--out", str(part), *args, "--set=solver.max_steps=20"]) == 4
    assert main(["run", str(CASE), "--out", str(part), *args, "--restart"]) == 0
    a, b = read_curve(full / "curve.csv"), read_curve(part / "curve.csv")
    assert a["max_temperature_K"][-1] > VIT.T + 5.0
    np.testing.assert_allclose(b["max_temperature_K"], a["max_temperature_K"], rtol=1e-9)
    np.testing.assert_allclose(b["mean_stress_Pa"], a["mean_stress_Pa"], rtol=1e-9)


@pytest.mark.parametrize(("overrides", "message"), [
    (['heat.mode="hot"'], "heat.mode = 'hot': allowed: isothermal, adiabatic, conducting"),
    (['heat.mode="adiabatic"', 'heat.boundary.top="insulated"'],
     "heat.boundary: only a conducting field has boundary conditions (heat.mode = 'adiabatic')"),
    (['heat.mode="conducting"', "material.conductivity=18.0", 'heat.boundary.left="insulated"'],
     "heat.boundary.left: no such facet group of shear_strip; known: bottom, top"),
    (['heat.mode="conducting"', 'heat.boundary.top="hot"'],
     'heat.boundary.top = \'hot\': "insulated" or {temperature = K}'),
    (['heat.mode="conducting"', "heat.boundary.top={temperature=-1.0}"],
     "heat.boundary.top.temperature = -1.0: must be > 0 (K)"),
    (['heat.mode="conducting"'],
     "material.conductivity: heat.mode = 'conducting' needs it (W/(m·K); 0 is adiabatic)"),
])
def test_bad_heat_input_is_one_line(tmp_path, capsys, overrides, message):
    args = [f"--set={o}" for o in (*COARSE, *overrides)]
    assert main(["run", str(CASE), "--out", str(tmp_path), *args]) == 2
    assert capsys.readouterr().err.strip() == f"stz-fem: error: {message}"


@pytest.mark.parametrize("overrides", [
    ['heat.mode="conducting"'],
    ['heat.mode="adiabatic"', 'material.preset="cu50zr50"'],
])
def test_a_heat_mode_without_its_material_fails_with_the_case(overrides):
    """The material's thermal parameters are checked when the case is read, before any mesh
    is built or form compiled."""
    with pytest.raises(InputError, match=r"^material\.(conductivity|rho)"):
        load_case(read_case(CASE, overrides))
