"""Test configuration shared by all test folders."""

import os
import sys

from hypothesis import settings

# CI runs the same examples every time (reproducible); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_runtest_logreport(report) -> None:
    """Under mpiexec, a failure on one rank aborts every rank.

    Otherwise the other ranks wait for it in the next collective until the run's timeout, and
    the failure is never reported.
    """
    if not report.failed or int(os.environ.get("PMI_SIZE", "1")) < 2:
        return
    import dolfinx_solver  # noqa: F401

    from mpi4py import MPI

    sys.stderr.write(f"\n[rank {MPI.COMM_WORLD.rank}] {report.nodeid} failed "
                     f"({report.when}):\n{report.longreprtext}\n")
    sys.stderr.flush()
    MPI.COMM_WORLD.Abort(1)
