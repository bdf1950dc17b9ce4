"""The ``stz-fem`` command line."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NoReturn

from stz_fem.errors import InputError, RunError


def _point(args: argparse.Namespace) -> None:
    from stz_fem import material, material_point, plots

    params = material.load(args.material)
    overrides = {k: v for k, v in (("T", args.temperature), ("chi0", args.chi0)) if v is not None}
    if overrides:
        params = params.replace(**overrides)
    if args.pe_per_atom is not None:
        if args.chi0 is not None:
            raise InputError("--pe-per-atom and --chi0 both set χ₀: give one")
        params = params.replace(chi0=params.chi_of_energy(args.pe_per_atom))
    loading = material_point.Loading(
        kind=args.loading, rate=args.rate, strain=args.strain, stress=args.stress,
        duration=args.duration, plane_strain=args.plane_strain,
    )
    curve = material_point.run(params, loading, adiabatic=args.adiabatic)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    material_point.write_curve(curve, out / "curve.csv")
    shear = loading.driven == 5
    plots.plot_point_curve(
        curve, out / "curve.png",
        strain_label="engineering shear strain γ" if shear else "axial strain ε₁₁",
        stress_label="σ₁₂" if shear else "σ₁₁",
        title=f"{args.material}: {loading.kind}, T = {params.T:g} K, χ₀ = {params.chi0:g} K",
    )
    peak = curve["stress_Pa"].max()
    print(
        f"{len(curve['time_s']) - 1} steps to {'γ' if shear else 'ε'} = {curve['strain'][-1]:.4g}"
        f" at t = {curve['time_s'][-1]:.4g} s; peak stress {peak / 1e9:.4g} GPa"
        f" ({peak / params.chi_stress_scale:.4f} s_y), final χ {curve['chi_K'][-1]:.1f} K"
    )
    if args.adiabatic:
        print(f"adiabatic heating: T {curve['temperature_K'][0]:.1f} K → "
              f"{curve['temperature_K'][-1]:.1f} K")
    print(f"wrote {out / 'curve.csv'} and {out / 'curve.png'}")


EXIT_CODES = {0: "completed (or the command did its job)", 1: "internal error (a bug: run "
              "again with --debug and report the traceback)", 2: "bad input (one line says "
              "which)", 3: "the run cannot go on (no convergence, stalled)", 4: "stopped at "
              "solver.max_steps or solver.max_wall_time (continue with --restart)",
              130: "interrupted by SIGINT or SIGTERM (continue with --restart)"}
"""Exit status of ``stz-fem`` (docs/cases.md)."""

_STATUS_CODES = {"completed": 0, "stopped": 4, "stalled": 3, "interrupted": 130}


def _run(args: argparse.Namespace) -> int:
    from mpi4py import MPI

    import stz_fem.fem  # noqa: F401  (loads PETSc before dolfinx)
    from stz_fem.cases import read_case
    from stz_fem.simulation import Simulation

    data = read_case(args.case, args.set)
    out = Path(args.out or Path("results") / Path(args.case).stem)
    with Simulation(data, out) as sim:
        summary = sim.run(progress=not args.quiet, restart=args.restart)
    if MPI.COMM_WORLD.rank == 0:
        b = summary["bands"]
        print(
            f"{summary['status']}: {summary['steps']} steps, {summary['newton_iterations']} Newton"
            f" iterations, {summary['dofs']} dofs on {summary['ranks']} rank(s),"
            f" {summary['wall_time_s']:.1f} s"
        )
        print(
            f"bands: L = {_fmt(b.get('localization_index'))}, onset at nominal strain "
            f"{_fmt(b.get('onset_nominal_strain'))}, orientation "
            f"{_fmt(b.get('orientation_deg'))} deg, width {_fmt(b.get('width_m'))} m"
        )
        for name in ("fields.pvd", "curve.csv", "summary.json", "run.png"):
            if (out / name).exists():
                print(f"wrote {out / name}")
        if summary["stop_reason"]:
            # an asked-for stop (max_steps, max_wall_time) is news; a stall or a signal a problem
            print(f"stz-fem: {summary['stop_reason']}; continue with --restart",
                  file=sys.stdout if summary["status"] == "stopped" else sys.stderr)
    return _STATUS_CODES[summary["status"]]


def _mesh(args: argparse.Namespace) -> None:
    from mpi4py import MPI

    from stz_fem.cases import read_case
    from stz_fem.specimens import load_case

    specimen = load_case(read_case(args.case, args.set))
    specimen.check_size()
    mesh = specimen.build(MPI.COMM_WORLD).mesh
    tdim = mesh.topology.dim
    cells = mesh.topology.index_map(tdim).size_global
    vertices = mesh.topology.index_map(0).size_global
    if MPI.COMM_WORLD.rank == 0:
        print(f"{args.case}: {cells} cells, {vertices} vertices ({tdim}-D)")


def _calibrate(args: argparse.Namespace) -> None:
    from stz_fem.calibration.calibrate import calibrate

    out = Path(args.out)
    report = calibrate(args.config, out)
    rms = report.get("rms_relative_to_peak")
    print(f"fit: RMS {100 * rms:.2f} % of the peak, R² {report.get('r2'):.4f}")
    for name, p in report.get("parameters", {}).items():
        se = p.get("standard_error")
        print(f"  {name} = {p['value']:.6g}" + (f" ± {se:.3g}" if se is not None else ""))
    for warning in report.get("warnings", []):
        print(f"warning: {warning}")
    for entry in report.get("validation", []):
        print(f"held out {Path(entry['path']).name}: RMS {100 * entry['rms_relative_to_peak']:.1f}"
              f" % of the peak (peak {100 * entry['peak_error_relative']:+.1f} %, flow "
              f"{100 * entry['flow_error_relative']:+.1f} %)")
    print(f"wrote {out / 'material.toml'}, {out / 'report.json'} and plots in {out}")


def _calibrate_fields(args: argparse.Namespace) -> None:
    from stz_fem.calibration.field_fit import calibrate_fields

    out = Path(args.out)
    report = calibrate_fields(args.config, out, log=lambda line: print(line, flush=True))
    best = report["best"]
    print(f"best of {report['evaluations']} cells: J = {best['objective']:.4g}, stress RMS "
          f"{100 * best['stress_rms_relative_to_peak']:.2f} % of the MD peak")
    for name, value in best["values"].items():
        print(f"  {name} = {value:.6g}")
    if "pe_u0" in best:
        print(f"  pe_u0 = {best['pe_u0']:.6g} (from chi0 and pe_beta)")
    print(f"wrote {out / 'material.toml'}, {out / 'report.json'} and {out / 'convergence.png'}")


def _bands(args: argparse.Namespace) -> None:
    import json

    from stz_fem.results import band_measures_from_files

    print(json.dumps(band_measures_from_files(args.run, args.frame), indent=2))


def _plot(args: argparse.Namespace) -> None:
    import dolfinx_solver  # noqa: F401  (the specimens import dolfinx)

    from stz_fem.material_point import read_curve
    from stz_fem.plots import plot_specimen_run
    from stz_fem.results import frame_of, read_cells, read_summary
    from stz_fem.specimens import load_case

    run = Path(args.run)
    summary = read_summary(run)
    time, pvtu = frame_of(run, args.frame)
    specimen = load_case(summary["case"])
    curve = read_curve(run / "curve.csv")
    upto = curve["time_s"] <= time * (1 + 1e-9)
    if upto.sum() < 2:
        raise InputError(f"frame {args.frame} (t = {time:g} s): fewer than two steps to plot")
    onset = summary["bands"]["onset_nominal_strain"]
    if onset is not None and onset > specimen.nominal_strain(time):
        onset = None
    out = Path(args.out) if args.out else run / (
        "run.png" if args.frame == -1 else f"run_frame{args.frame}.png")
    plot_specimen_run(out, specimen, {k: v[upto] for k, v in curve.items()}, read_cells(pvtu),
                      onset)
    print(f"wrote {out} (t = {time:g} s, nominal strain {specimen.nominal_strain(time):.4g})")


def _compare_md(args: argparse.Namespace) -> None:
    import json

    from stz_fem.calibration.compare_md import compare_md

    out = Path(args.out)
    result = compare_md(
        args.run, args.fields, args.frame, out, key=args.key, fe_key=args.fe_key,
        more_frames=args.more_frames, fitted_frames=args.fitted_frames,
        material_file=args.material_file, curve=args.curve,
        strain_column=args.strain_column, stress_column=args.stress_column)
    print(json.dumps({k: v for k, v in result.items() if isinstance(v, float)}, indent=2))
    for entry in result["frames"]:
        v, u = entry["value"], entry["uncertainty"]
        tag = {True: "fitted", False: "held out", None: ""}[entry["fitted"]]
        print(f"frame {entry['md_frame']:3d} (γ {entry['md_nominal_strain']:.3f}) {tag:8s}: "
              f"centre error {1e9 * v['centre_error_m']:.2f} ± {1e9 * u['centre_error_m']:.2f}"
              f" nm, FWHM {1e9 * v['fe_fwhm_m']:.1f} vs MD {1e9 * v['md_fwhm_m']:.1f} nm "
              f"({100 * v['fwhm_relative_error']:+.0f} ± {100 * u['fwhm_relative_error']:.0f} %)"
              f", r {v['correlation']:.3f} ± {u['correlation']:.3f}")
    print(f"wrote {out / 'comparison.json'} and {out / 'comparison.png'}")


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"


class _Parser(argparse.ArgumentParser):
    """argparse with its mistakes as one ``InputError`` line (no usage block), like every
    other input error."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stz-fem", description="STZ-χ plasticity and shear banding in amorphous solids."
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_point(sub)
    _add_run(sub)
    _add_calibrate(sub)
    _add_calibrate_fields(sub)
    _add_mesh(sub)
    _add_bands(sub)
    _add_plot(sub)
    _add_compare_md(sub)
    return parser


def _positive(text: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0.0):
        raise argparse.ArgumentTypeError(f"{text!r}: must be finite and > 0")
    return value


def _add_point(sub) -> None:
    from stz_fem.material_point import LOADINGS

    point = sub.add_parser("point", help="homogeneous material-point response (0-D)")
    point.add_argument("material", help="preset name (vitreloy1, cu50zr50) or material TOML file")
    point.add_argument("--loading", choices=LOADINGS, default="simple-shear")
    point.add_argument("--rate", type=_positive, default=1e-3,
                       help="engineering shear rate or axial strain rate, 1/s (default 1e-3)")
    point.add_argument("--strain", type=_positive, default=0.2,
                       help="end strain: γ for shear and creep, |ε₁₁| for uniaxial (default 0.2)")
    point.add_argument("--stress", type=_positive, help="creep shear stress σ₁₂, Pa")
    point.add_argument("--duration", type=_positive, help="creep end time, s")
    point.add_argument("--temperature", type=float, help="bath temperature T, K")
    point.add_argument("--chi0", type=float, help="initial effective temperature, K")
    point.add_argument("--pe-per-atom", type=float, metavar="U",
                       help="mean potential energy per atom of the glass at --temperature, eV: "
                            "χ₀ from the material's PE→χ map (pe_beta, pe_u0; docs/model.md §5)")
    point.add_argument("--adiabatic", action="store_true",
                       help="plastic work heats the point (material rho, heat_capacity, "
                       "heat_fraction); writes temperature_K")
    point.add_argument("--plane-strain", action="store_true",
                       help="uniaxial loadings keep ε₃₃ = 0")
    point.add_argument("--out", required=True, help="output directory")
    point.set_defaults(func=_point)


def _add_run(sub) -> None:
    run = sub.add_parser("run", help="run a specimen case (serial or under mpiexec)")
    run.add_argument("case", help="case TOML file (see docs/cases.md)")
    run.add_argument("--out", help="output directory (default results/CASE_NAME)")
    run.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE",
                     help="override a case value, e.g. --set material.l_chi=0 (repeatable)")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    run.add_argument("--restart", action="store_true",
                     help="continue from OUT/checkpoint.npz (any number of ranks)")
    run.set_defaults(func=_run)


def _add_calibrate(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit STZ-χ parameters to stress–strain curves")
    cal.add_argument("config", help="calibration TOML (see calibration/cuzr/config.toml)")
    cal.add_argument("--out", required=True, help="output directory")
    cal.set_defaults(func=_calibrate)


def _add_calibrate_fields(sub) -> None:
    cal = sub.add_parser("calibrate-fields",
                         help="fit parameters and the PE→χ map to MD strain maps and stress "
                              "curve by FE cells (GP surrogate)")
    cal.add_argument("config", help="field calibration TOML (see calibration/cuzr/fields.toml)")
    cal.add_argument("--out", required=True, help="output directory")
    cal.set_defaults(func=_calibrate_fields)


def _add_mesh(sub) -> None:
    mesh = sub.add_parser("mesh", help="build (and cache) only the mesh of a case")
    mesh.add_argument("case", help="case TOML file")
    mesh.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE")
    mesh.set_defaults(func=_mesh)


def _add_bands(sub) -> None:
    measure = sub.add_parser("bands", help="band measures of a finished run's field outputs")
    measure.add_argument("run", help="run directory (with summary.json and fields.pvd)")
    measure.add_argument("--frame", type=int, default=-1, help="field output index (default last)")
    measure.set_defaults(func=_bands)


def _add_plot(sub) -> None:
    plot = sub.add_parser("plot", help="draw run.png of a run's field output (a stopped run too)")
    plot.add_argument("run", help="run directory (summary.json, curve.csv, fields.pvd)")
    plot.add_argument("--frame", type=int, default=-1, help="field output index (default last)")
    plot.add_argument("--out", help="PNG file (default RUN/run.png, or RUN/run_frameK.png)")
    plot.set_defaults(func=_plot)


def _add_compare_md(sub) -> None:
    compare = sub.add_parser("compare-md", help="compare a finished run with gridded MD fields")
    compare.add_argument("run", help="run directory (summary.json, curve.csv, fields.pvd)")
    compare.add_argument("--fields", required=True,
                         help=".npz grid: x_m, y_m, nominal_shear_strain, [frame, y, x] fields")
    compare.add_argument("--frame", type=int, default=-1, help="MD frame (default last)")
    compare.add_argument("--more-frames", type=int, nargs="*", default=[], metavar="K",
                         help="further MD frames compared (comparison.json → frames)")
    compare.add_argument("--fitted-frames", type=int, nargs="*", default=[], metavar="K",
                         help="MD frames a calibration fitted (the others are marked held out)")
    compare.add_argument("--material-file",
                         help="the material file the run used (checked against the run's "
                              "parameters; recorded as material_file)")
    compare.add_argument("--key", default="shear_strain", help="MD field (default shear_strain)")
    compare.add_argument("--fe-key", default="shear_strain",
                         help="FE cell field to compare (default shear_strain, total γ_xy)")
    compare.add_argument("--curve", help="MD stress–strain CSV (header row)")
    compare.add_argument("--strain-column", default="nominal_shear_strain")
    compare.add_argument("--stress-column", default="shear_stress_Pa")
    compare.add_argument("--out", required=True, help="output directory")
    compare.set_defaults(func=_compare_md)


def _rank() -> int:
    """This process's MPI rank if mpi4py is loaded (a run), else 0."""
    mpi = sys.modules.get("mpi4py.MPI")
    return mpi.COMM_WORLD.rank if mpi is not None else 0


def _error(text: str) -> None:
    """One ``stz-fem: error:`` line, from rank 0 only (every rank raised the same)."""
    if _rank() == 0:
        print(f"stz-fem: error: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point. Exit status as ``EXIT_CODES``: a user mistake or a run that cannot go on
    prints one line without a traceback (``--debug`` shows it)."""
    try:
        args = build_parser().parse_args(argv)
    except InputError as err:
        _error(str(err))
        return 2
    try:
        return args.func(args) or 0
    except InputError as err:
        if args.debug:
            raise
        _error(str(err))
        return 2
    except RunError as err:
        if args.debug:
            raise
        _error(str(err))
        return 3
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as err:
        if args.debug:
            raise
        _error(f"internal error ({type(err).__name__}: {err}); run again with --debug for "
               "the traceback")
        return 1


if __name__ == "__main__":
    sys.exit(main())
