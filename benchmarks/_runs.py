"""What the benchmark scripts share: the tiny preset of their command line, reusing or
continuing earlier runs of a study, and costs as ratios against a baseline of the same run.

Benchmarks use only the public entry points of stz_fem (``cases.read_case``, ``Simulation``
as a context manager, ``results`` readers, ``bands`` functions, ``material``), so that the
library can change underneath them; ``tests/test_benchmarks.py`` runs every script ``--tiny``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the simulation modules load only when a benchmark runs one
    from mpi4py import MPI

    from stz_fem.simulation import Simulation

CASES = Path(__file__).resolve().parents[1] / "cases"


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
               tiny: dict[str, Any]) -> argparse.Namespace:
    """``parser``'s arguments with ``--tiny`` added: the defaults ``tiny`` instead of the
    parser's (arguments given explicitly still win), a seconds-long pass through the whole
    script that the test suite makes."""
    parser.add_argument("--tiny", action="store_true",
                        help="a few seconds at a tiny size: exercises the script, measures "
                             "nothing (tests/test_benchmarks.py)")
    if "--tiny" in (sys.argv[1:] if argv is None else argv):
        parser.set_defaults(**tiny)
    return parser.parse_args(argv)


@contextmanager
def case_run(data: dict, out: Path, comm: MPI.Comm | None = None, reuse: bool = True
             ) -> Iterator[tuple[Simulation, dict, str | None]]:
    """The simulation of ``data`` in ``out`` (on ``comm``, default all ranks) run to its end,
    reusing what ``out`` holds of this very case when ``reuse``: yields the open simulation,
    its summary and what was reused ("completed": nothing was run; "checkpoint": an
    interrupted run was continued, its times accumulate over both; None: a fresh run, timed in
    this process)."""
    import dolfinx_solver  # noqa: F401  (before dolfinx and petsc4py)

    from mpi4py import MPI

    from stz_fem.results import read_summary
    from stz_fem.simulation import Simulation

    with Simulation(data, out, MPI.COMM_WORLD if comm is None else comm) as sim:
        previous = sim.previous_run() if reuse else None
        if previous == "completed":
            summary = read_summary(out)
        else:
            summary = sim.run(progress=False, restart=previous == "checkpoint")
        yield sim, summary, previous


def run_case(data: dict, out: Path, comm: MPI.Comm | None = None, reuse: bool = True
             ) -> tuple[dict, str | None]:
    """``case_run`` for callers that need only the summary and what was reused."""
    with case_run(data, out, comm, reuse) as (_, summary, previous):
        return summary, previous


def ratio(cost: float, baseline: float) -> float:
    """``cost`` in units of ``baseline`` (nan when the baseline is not positive)."""
    return cost / baseline if baseline > 0 else math.nan
