"""Local trust in [0, 1]: it grows while a contingent is present (more slowly without
interpreters), drops at each handover (less with a longer overlap) and after each
incident. Between those events it is linear in time, so it is computed, not ticked."""
from __future__ import annotations

from typing import ClassVar

from sim.model.clock import Clock
from sim.scenario.schema import Trust as TrustSpec


class Trust:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"trust.{k}" for k in ("growth_per_day", "handover_loss", "overlap_halving_days",
                               "incident_loss", "without_interpreters"))

    def __init__(self, spec: TrustSpec, clock: Clock):
        self.spec, self.clock = spec, clock
        self._value, self._t = spec.initial, clock.now
        self._cover: float | None = None  # interpreter cover; None while nobody is there
        self.slope = 0.0  # growth a day now

    def _slope(self) -> float:
        if self._cover is None:
            return 0.0
        s = self.spec
        return s.growth_per_day * (s.without_interpreters + (1 - s.without_interpreters) * self._cover)

    def value(self) -> float:
        v = self._value + self.slope * (self.clock.env._now - self._t)
        return v if v < 1.0 else 1.0  # min(1.0, v)

    def _settle(self) -> None:
        self._value, self._t = self.value(), self.clock.now

    def set_cover(self, cover: float | None) -> None:
        """Interpreters present over those required (capped at 1), or None when no
        contingent is present."""
        self._settle()
        self._cover = None if cover is None else min(1.0, cover)
        self.slope = self._slope()

    def handover(self, overlap_days: float) -> float:
        """A new contingent takes over; returns the factor trust was multiplied by."""
        self._settle()
        s = self.spec
        kept = 1 - s.handover_loss * 0.5 ** (overlap_days / s.overlap_halving_days)
        self._value *= kept
        return kept

    def incident(self) -> None:
        self._settle()
        self._value *= 1 - self.spec.incident_loss

    def retune(self, spec: TrustSpec) -> None:
        self._settle()
        self.spec = spec
        self.slope = self._slope()
