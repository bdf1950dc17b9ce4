"""Adaptive time steps from the largest increment of a step relative to its limit.

One controller for the finite-element stepping loop and the material-point driver: a step
whose largest increment ratio (increment / limit, e.g. Δχ / 5 K) exceeds ``accept`` is
retried smaller; after an accepted step the next one aims at ``safety`` of the limits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepController:
    """Step-size rules; ratios are the largest increment of a step divided by its limit."""

    accept: float = 1.25
    """Largest ratio accepted (a little slack: retrying a step costs more than the excess)."""
    safety: float = 0.8
    """Ratio the next step aims at."""
    max_growth: float = 1.5
    """Largest factor between consecutive steps."""
    min_shrink: float = 0.2
    """Smallest factor a retried step is cut by."""
    newton_growth: float = 0.7
    """Factor by which the next step changes after a step that needed more Newton iterations
    than its target (a shrink)."""

    def accepts(self, ratio: float) -> bool:
        return ratio <= self.accept

    def retry(self, dt: float, ratio: float) -> float:
        """Size (s) for retrying a step of size ``dt`` whose increments were too large."""
        return dt * max(self.min_shrink, self.safety / ratio)

    def next(self, dt: float, ratio: float, newton_excess: bool = False) -> float:
        """Size (s) of the step after an accepted one of size ``dt`` and increment ``ratio``;
        ``newton_excess``: that step needed more Newton iterations than its target."""
        grow = min(self.max_growth, self.safety / max(ratio, 1e-3))
        if newton_excess:
            grow = min(grow, self.newton_growth)
        return dt * grow
