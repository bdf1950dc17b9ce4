"""When a specimen run stops before the end of its loading, and when it saves a checkpoint
between two field outputs (docs/numerics.md, Time stepping).

Every decision here is collective: all ranks stop, or save, after the same step.
"""

from __future__ import annotations

import collections
import time

from mpi4py import MPI

from stz_fem.cases import Solver
from stz_fem.interrupts import Interrupts
from stz_fem.run_files import RunState

STALL_WINDOW = 2000
"""Steps over which progress is judged: a run whose last ``STALL_WINDOW`` steps advanced the
loading by less than ``STALL_FRACTION`` of its whole span would need more than a billion steps
at that pace, and stops as "stalled" (with a checkpoint) instead of crawling on silently."""
STALL_FRACTION = 2e-6


class RunLimits:
    """The stopping rules of ``solver`` (max_steps, max_wall_time, stalls, signals) and the
    wall-time checkpoints (``solver.checkpoint_interval``) of one leg of a run."""

    def __init__(self, limits: Solver, comm: MPI.Comm, t_start: float) -> None:
        self.limits = limits
        self.comm = comm
        self.reason: str | None = None
        self._progress = collections.deque([t_start], maxlen=STALL_WINDOW + 1)
        self._started = self._saved = time.perf_counter()

    def leg_wall_time(self) -> float:
        """Wall time of this leg so far, s (this rank's clock)."""
        return time.perf_counter() - self._started

    def _longest(self, seconds: float) -> float:
        """The largest of a per-rank clock reading over the ranks, so that all decide alike."""
        return self.comm.allreduce(seconds, op=MPI.MAX)

    def stop(self, run: RunState, interrupts: Interrupts, t_end: float) -> str | None:
        """Why the run must stop before its next step, as its status ("stopped", "stalled",
        "interrupted"; ``reason`` says more), or None to go on."""
        limits = self.limits
        signal_name = interrupts.requested()
        if signal_name is not None:
            self.reason = f"interrupted by {signal_name} at step {run.step}"
            return "interrupted"
        if run.step >= limits.max_steps:
            self.reason = f"solver.max_steps = {limits.max_steps} reached"
            return "stopped"
        # only with a limit: the wall time is a collective of its own
        if (limits.max_wall_time is not None
                and self._longest(run.wall_s + self.leg_wall_time()) >= limits.max_wall_time):
            self.reason = f"solver.max_wall_time = {limits.max_wall_time:g} s reached"
            return "stopped"
        progress = self._progress
        if len(progress) > STALL_WINDOW and run.t - progress[0] < STALL_FRACTION * t_end:
            self.reason = (
                f"stalled: the last {STALL_WINDOW} steps advanced the loading by "
                f"{(run.t - progress[0]) / t_end:.2g} of its span (dt ≈ {run.dt:.3g} s "
                f"at t = {run.t:.6g} s); the state is likely unphysical for these settings "
                "(e.g. a very low χ₀ or T)")
            return "stalled"
        return None

    def stepped(self, t: float) -> None:
        """Record the loading time (s) reached by an accepted step."""
        self._progress.append(t)

    def checkpoint_due(self) -> bool:
        """Whether ``solver.checkpoint_interval`` of wall time has passed since the last
        checkpoint: a run killed outright (SIGKILL, a node lost) then loses at most that."""
        return self._longest(time.perf_counter() - self._saved) >= self.limits.checkpoint_interval

    def saved(self) -> None:
        """Record that a checkpoint was just written."""
        self._saved = time.perf_counter()
