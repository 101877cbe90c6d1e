"""The search over contingent sizes, and what it can say about its answer.

A size *meets* the standard when the share of replications whose fill rate reaches
`fill` (the fill share) is at least `confidence`. The search (1) doubles from the
shape as written and bisects, at `reps` replications a size, to a size that meets
with the next one failing; (2) re-checks that size and the two above it: each gets
`reps` more replications at a time, on the same seeds, until the Wilson 95% interval of
its fill share lies wholly on one side of `confidence` or `max_reps` is reached. A
re-checked size that changes side moves the boundary and the search goes on from there
(bisecting again between what it knows). Sizes far from the boundary keep `reps`.

Rounding makes the fill share go down unevenly with size (the allowed shortfall and a
scarce role's posts grow in steps), so the answer is the largest size found to meet
with the next two failing, not merely the first size that fails, minus one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sim.core.stats import share_at_least, wilson

# One replication at one size: its fill rate (None: no rotation to fill) and the posts
# it left unfilled by (reason, role).
Outcome = tuple[float | None, Counter[tuple[str, str]]]
Evaluate = Callable[[int, range], Sequence[Outcome]]

SEARCH, RECHECK = "search", "re-check"
_TOL = 1e-12


@dataclass
class Probe:
    """One contingent size and its replications so far."""

    size: int
    fill_rate: float
    confidence: float
    fills: list[float | None] = field(default_factory=list, repr=False)
    missing: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)
    phase: str = SEARCH  # how its latest replications came: the search or a re-check
    context: str = ""    # the contour value it belongs to ("" for the scenario as given)

    @property
    def replications(self) -> int:
        return len(self.fills)

    @property
    def reached(self) -> int:
        """Replications whose fill rate reached the target."""
        return sum(1 for x in self.fills if x is not None and x >= self.fill_rate - _TOL)

    @property
    def fill_share(self) -> float:
        return self.reached / self.replications if self.replications else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        """Wilson 95% interval of the fill share."""
        return wilson(self.reached, self.replications)

    @property
    def met(self) -> bool:
        return self.fill_share >= self.confidence - _TOL

    @property
    def decided(self) -> bool:
        """The interval lies wholly on the side of the threshold the estimate is on."""
        lo, hi = self.ci95
        return lo >= self.confidence - _TOL if self.met else hi < self.confidence

    @property
    def sure(self) -> float:
        """How sure the replications make us of the side this size is on (the posterior
        probability, Jeffreys' prior, that the true fill share is on that side)."""
        above = share_at_least(self.reached, self.replications, self.confidence)
        return above if self.met else 1.0 - above

    @property
    def fill_mean(self) -> float | None:
        known = [x for x in self.fills if x is not None]
        return sum(known) / len(known) if known else None

    def to_dict(self) -> dict[str, object]:
        lo, hi = self.ci95
        return {"size": self.size, "fill_share": self.fill_share, "fill_share_ci95": [lo, hi],
                "replications": self.replications, "met": self.met,
                "decided": self.decided, "fill_rate_mean": self.fill_mean}


@dataclass
class Boundary:
    """The answer and how sure the search is of it."""

    size: int
    at: Probe | None      # the answer's probe (None for 0: nothing to fill)
    above: Probe | None   # the answer + 1 (None above the force's strength)
    low: int              # the answer's range: the sizes tried next to the boundary whose
    high: int             # 95% intervals straddle the threshold (the answer alone if none)
    sure: float | None    # how sure the boundary lies between size and size + 1


class Search:
    """The search for one scenario (see the module's doc)."""

    def __init__(self, evaluate: Evaluate, start: int, ceiling: int, fill_rate: float,
                 confidence: float, reps: int, max_reps: int,
                 progress: Callable[[Probe], None] | None = None):
        self.evaluate, self.start, self.ceiling = evaluate, start, ceiling
        self.fill_rate, self.confidence = fill_rate, confidence
        self.reps, self.max_reps = reps, max(max_reps, reps)
        self.progress = progress
        self.probes: dict[int, Probe] = {}

    # -- probes ----------------------------------------------------------------------------
    def _add(self, size: int, indices: range, phase: str) -> Probe:
        p = self.probes.setdefault(size, Probe(size, self.fill_rate, self.confidence))
        for fill, missing in self.evaluate(size, indices):
            p.fills.append(fill)
            p.missing.update(missing)
        p.phase = phase
        if self.progress is not None:
            self.progress(p)
        return p

    def probe(self, size: int) -> Probe:
        """`size` at `reps` replications at least."""
        if size not in self.probes:
            self._add(size, range(self.reps), SEARCH)
        return self.probes[size]

    def recheck(self, size: int) -> Probe:
        """More replications at `size`, `reps` at a time, until its side is decided."""
        p = self.probe(size)
        while not p.decided and p.replications < self.max_reps:
            n = p.replications
            self._add(size, range(n, min(n + self.reps, self.max_reps)), RECHECK)
        return p

    def meets(self, size: int) -> bool:
        if size <= 0:
            return True  # nothing to fill
        return size <= self.ceiling and self.probe(size).met

    # -- the search ------------------------------------------------------------------------
    def _bisect(self, lo: int, hi: int) -> tuple[int, int]:
        """lo meets, hi does not: narrow to adjacent sizes."""
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.meets(mid):
                lo = mid
            else:
                hi = mid
        return lo, hi

    def run(self) -> Boundary:
        lo, hi = 0, self.ceiling + 1
        size = min(self.start, self.ceiling)
        if size >= 1 and self.meets(size):  # from the shape as written, double until one fails
            lo = size
            while 2 * lo <= self.ceiling:
                if not self.meets(2 * lo):
                    hi = 2 * lo
                    break
                lo *= 2
        elif size >= 1:
            hi = size
        lo, hi = self._bisect(lo, hi)
        while True:  # settle: the answer and the two sizes above it, re-checked
            if lo >= 1 and not self.recheck(lo).met:
                below = [s for s, p in self.probes.items() if s < lo and p.met]
                lo, hi = self._bisect(max(below, default=0), lo)
                continue
            for s in (lo + 1, lo + 2):
                if s <= self.ceiling and self.recheck(s).met:
                    above = [t for t, p in self.probes.items() if t > s and not p.met]
                    lo, hi = self._bisect(s, min(above, default=self.ceiling + 1))
                    break
            else:
                return self.boundary(lo)

    def boundary(self, size: int) -> Boundary:
        at = self.probes.get(size) if size >= 1 else None
        above = self.probes.get(size + 1) if size + 1 <= self.ceiling else None
        low = size if at is None or at.decided else self._undecided_run(size, -1)
        high = size if above is None or above.decided else self._undecided_run(size + 1, 1)
        sure: float | None = None
        if self.confidence < 1.0:  # a share of 1 cannot be shown by any finite count
            sure = (at.sure if at else 1.0) * (above.sure if above else 1.0)
        return Boundary(size, at, above, low, high, sure)

    def _undecided_run(self, start: int, step: int) -> int:
        """The last size of the unbroken run of sizes tried, from `start` on in `step`s,
        whose intervals straddle the threshold."""
        edge = start
        while (p := self.probes.get(start)) is not None and not p.decided:
            edge, start = start, start + step
        return edge

    def sorted_probes(self) -> list[Probe]:
        return [self.probes[s] for s in sorted(self.probes)]
