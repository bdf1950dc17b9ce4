"""Progress of a run on rank 0: a rich progress bar on a terminal, periodic lines otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    """Shows time, step, nominal strain, Newton iterations and L; prints a line at every
    tenth of the run and at least every ``every_s`` seconds of wall time (so a run crawling
    through small steps still says where it is)."""

    def __init__(self, enabled: bool, t_end: float, every_s: float = 30.0) -> None:
        self.enabled = enabled
        self.t_end = t_end
        self.every_s = every_s
        self._bar = None
        self._last_fraction = -1.0
        self._last_wall = time.monotonic()
        if enabled and sys.stdout.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(),
                TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
            )
            self._task = self._bar.add_task("stz-fem", total=t_end, info="")
            self._bar.start()

    def update(self, t: float, dt: float, step: int, its: int, strain: float,
               lindex: float) -> None:
        """After step ``step`` reached time ``t`` (s) with a step of ``dt`` (s)."""
        if not self.enabled:
            return
        info = (f"step {step}  strain {strain:.4f}  dt {dt:.3g} s  Newton {its}  "
                f"L {lindex:.2f}")
        if self._bar is not None:
            self._bar.update(self._task, completed=t, info=info)
            return
        fraction = t / self.t_end
        now = time.monotonic()
        if fraction >= self._last_fraction + 0.1 or now - self._last_wall >= self.every_s:
            self._last_fraction, self._last_wall = fraction, now
            print(f"{100 * fraction:5.1f}%  {info}", flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
