"""SIGINT and SIGTERM end a run between two steps, with a checkpoint, instead of mid-step.

The stepping loop asks ``Interrupts.requested`` (collectively) after every step, so a signal
that reaches any rank ends the run on all of them at the same step; a second signal raises
``KeyboardInterrupt`` at once for a user who will not wait for the step to finish.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from mpi4py import MPI

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Context manager that catches ``SIGNALS`` while it is active (main thread only)."""

    def __init__(self, comm: MPI.Comm) -> None:
        self.comm = comm
        self.received: str | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signal.Signals(signum).name

    def requested(self) -> str | None:
        """The signal any rank received, e.g. "SIGINT" (collective), or None."""
        names = self.comm.allgather(self.received)
        return next((name for name in names if name is not None), None)
