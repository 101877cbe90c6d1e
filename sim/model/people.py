"""The people of the force, one row per person in numpy arrays, and their census.

Flows that need no interaction (attrition, contract ends) act on these arrays in bulk;
timed events only move the few people a decision touches. Every change of state or
grade goes through `add`, `move` or `promote`, which keep a census: head counts by
state and grade, their time integral (person-days, which the ledger prices), and the
least and most people deployed since the series recorder last looked.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

GRADE_INDEX = {"officer": 0, "nco": 1, "soldier": 2}
GRADE_NAMES = ("officer", "nco", "soldier")

HOME, IN_COURSE, PREPARING, DEPLOYED, SEPARATED, IN_BASIC = range(6)
STATE_NAMES = ("home", "in_course", "preparing", "deployed", "separated", "basic_training")
# In the force (strength): the states before SEPARATED. Recruits in basic training are
# people of the store, counted as recruited, but not yet in strength.
ACTIVE_STATES = (HOME, IN_COURSE, PREPARING, DEPLOYED)


class People:
    """Columns: grade, state, joined (day), contract_end (day), last_return (day; -inf if
    never deployed), tours, leaving (day a deployed person decided to leave, applied on
    return; nan if not); qualifications as expiry days (inf: for good; nan: not held)."""

    def __init__(self, now: Callable[[], float], capacity: int = 256):
        self.now = now
        self.n = 0
        self.grade = np.zeros(capacity, np.int8)
        self.state = np.full(capacity, SEPARATED, np.int8)
        self.joined = np.zeros(capacity)
        self.contract_end = np.zeros(capacity)
        self.last_return = np.full(capacity, -np.inf)
        self.tours = np.zeros(capacity, np.int16)
        self.leaving = np.full(capacity, np.nan)
        self.leaving_reason: dict[int, str] = {}
        self.quals: dict[str, np.ndarray] = {}
        self.cols: dict[str, np.ndarray] = {}  # per-course bookkeeping (queue entry, ...)
        self.counts = np.zeros((len(STATE_NAMES), 3), np.int64)
        self._days = np.zeros((len(STATE_NAMES), 3))
        self._t = now()
        self._low = self._high = 0
        self._version = 0  # bumped by every change of state or grade
        self._masks: dict[tuple[int, ...], tuple[int, int, np.ndarray]] = {}

    # -- census ---------------------------------------------------------------
    def _touch(self) -> None:
        """Integrate head counts up to now before they change."""
        self._version += 1
        now = self.now()
        if now > self._t:
            self._days += self.counts * (now - self._t)
            self._t = now

    def _watch(self) -> None:
        d = int(self.counts[DEPLOYED].sum())
        if d < self._low:
            self._low = d
        if d > self._high:
            self._high = d

    def person_days(self, until: float | None = None) -> np.ndarray:
        """Person-days by (state, grade) from the start to `until` (default now)."""
        now = self.now() if until is None else until
        return self._days + self.counts * max(0.0, now - self._t)

    def deployed_range(self) -> tuple[int, int]:
        """Least and most people deployed since the last call (and now, to start the next)."""
        out = (self._low, self._high)
        self._low = self._high = int(self.counts[DEPLOYED].sum())
        return out

    # -- growth -------------------------------------------------------------
    def _reserve(self, extra: int) -> None:
        need = self.n + extra
        cap = len(self.grade)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        for name in ("grade", "state", "joined", "contract_end", "last_return", "tours", "leaving"):
            old = getattr(self, name)
            fill = {"state": SEPARATED, "last_return": -np.inf, "leaving": np.nan}.get(name, 0)
            arr = np.full(new, fill, old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        for table in (self.quals, self.cols):
            for key, old in table.items():
                arr = np.full(new, np.nan)
                arr[:cap] = old
                table[key] = arr

    def add(self, grade: int, count: int, joined: np.ndarray | float,
            contract_end: np.ndarray | float, state: int = HOME) -> np.ndarray:
        """Add `count` people of one grade at home (or in `state`); returns their ids."""
        self._touch()
        self._reserve(count)
        ids = np.arange(self.n, self.n + count)
        self.n += count
        self.grade[ids] = grade
        self.state[ids] = state
        self.joined[ids] = joined
        self.contract_end[ids] = contract_end
        self.last_return[ids] = -np.inf
        self.tours[ids] = 0
        self.leaving[ids] = np.nan
        for table in (self.quals, self.cols):
            for arr in table.values():
                arr[ids] = np.nan
        self.counts[state, grade] += count
        return ids

    def move(self, ids: np.ndarray | list[int], state: int) -> None:
        """Put people in `state` (home, a course, preparing, deployed, separated)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self._touch()
        grades = self.grade[ids]
        np.subtract.at(self.counts, (self.state[ids], grades), 1)
        np.add.at(self.counts[state], grades, 1)
        self.state[ids] = state
        self._watch()

    def promote(self, ids: np.ndarray, grade: int) -> None:
        self._touch()
        states = self.state[ids]
        np.subtract.at(self.counts, (states, self.grade[ids]), 1)
        np.add.at(self.counts[:, grade], states, 1)
        self.grade[ids] = grade

    def column(self, name: str) -> np.ndarray:
        """A float column (nan by default) for bookkeeping that is not a person's trait."""
        arr = self.cols.get(name)
        if arr is None:
            arr = np.full(len(self.grade), np.nan)
            self.cols[name] = arr
        return arr

    def qual(self, name: str) -> np.ndarray:
        arr = self.quals.get(name)
        if arr is None:
            arr = np.full(len(self.grade), np.nan)
            self.quals[name] = arr
        return arr

    # -- queries ------------------------------------------------------------
    @property
    def active(self) -> np.ndarray:
        """Who (first `n` rows) is in strength."""
        return self.state[: self.n] < SEPARATED

    def holds(self, name: str, now: float) -> np.ndarray:
        """Who holds an unexpired qualification (first `n` rows)."""
        arr = self.quals.get(name)
        if arr is None:
            return np.zeros(self.n, bool)
        return arr[: self.n] > now  # nan compares False

    def holds_one(self, name: str, pid: int, now: float) -> bool:
        arr = self.quals.get(name)
        return arr is not None and bool(arr[pid] > now)

    def expiry(self, name: str, pid: int) -> float:
        """When `pid`'s qualification expires (inf: never; nan: not held)."""
        arr = self.quals.get(name)
        return float(arr[pid]) if arr is not None else float("nan")

    def holds_all(self, names: list[str] | tuple[str, ...], now: float) -> np.ndarray:
        mask = np.ones(self.n, bool)
        for q in names:
            mask &= self.holds(q, now)
        return mask

    def active_in(self, grades: tuple[int, ...]) -> np.ndarray:
        """Who (first `n` rows) is in the force with one of `grades`; computed once for
        all who ask until the next change (a fresh array each call)."""
        hit = self._masks.get(grades)
        if hit is None or hit[0] != self._version or hit[1] != self.n:
            mask = self.grade_in(grades) & (self.state[: self.n] < SEPARATED)
            hit = (self._version, self.n, mask)
            self._masks[grades] = hit
        return hit[2].copy()

    def grade_in(self, grades: list[int] | tuple[int, ...]) -> np.ndarray:
        """Who (first `n` rows) has one of `grades` (a lookup, cheaper than np.isin)."""
        table = np.zeros(3, bool)
        table[list(grades)] = True
        return table[self.grade[: self.n]]

    def strength(self) -> np.ndarray:
        """Active people by grade index."""
        return self.counts[: SEPARATED].sum(axis=0)

    def count_by(self, states: tuple[int, ...]) -> np.ndarray:
        """People in any of `states`, by grade index."""
        return self.counts[list(states)].sum(axis=0)
