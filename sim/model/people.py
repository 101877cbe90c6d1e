"""The people of the force, one row per person in numpy arrays.

Flows that need no interaction (attrition, contract ends) act on these arrays in bulk;
SimPy processes only move the few people a decision touches.
"""
from __future__ import annotations

import numpy as np

GRADE_INDEX = {"officer": 0, "nco": 1, "soldier": 2}
GRADE_NAMES = ("officer", "nco", "soldier")

HOME, IN_COURSE, PREPARING, DEPLOYED, SEPARATED = range(5)
STATE_NAMES = ("home", "in_course", "preparing", "deployed", "separated")


class People:
    """Columns: grade, state, joined (day), contract_end (day), last_return (day; -inf if
    never deployed), tours; qualifications as expiry days (inf: for good; nan: not held)."""

    def __init__(self, capacity: int = 256):
        self.n = 0
        self.grade = np.zeros(capacity, np.int8)
        self.state = np.full(capacity, SEPARATED, np.int8)
        self.joined = np.zeros(capacity)
        self.contract_end = np.zeros(capacity)
        self.last_return = np.full(capacity, -np.inf)
        self.tours = np.zeros(capacity, np.int16)
        self.quals: dict[str, np.ndarray] = {}
        self.cols: dict[str, np.ndarray] = {}  # per-course bookkeeping (queue entry, ...)

    # -- growth -------------------------------------------------------------
    def _reserve(self, extra: int) -> None:
        need = self.n + extra
        cap = len(self.grade)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        for name in ("grade", "state", "joined", "contract_end", "last_return", "tours"):
            old = getattr(self, name)
            fill = {"state": SEPARATED, "last_return": -np.inf}.get(name, 0)
            arr = np.full(new, fill, old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        for table in (self.quals, self.cols):
            for key, old in table.items():
                arr = np.full(new, np.nan)
                arr[:cap] = old
                table[key] = arr

    def add(self, grade: int, count: int, joined: np.ndarray | float,
            contract_end: np.ndarray | float) -> np.ndarray:
        """Add `count` people of one grade at home; returns their ids."""
        self._reserve(count)
        ids = np.arange(self.n, self.n + count)
        self.n += count
        self.grade[ids] = grade
        self.state[ids] = HOME
        self.joined[ids] = joined
        self.contract_end[ids] = contract_end
        self.last_return[ids] = -np.inf
        self.tours[ids] = 0
        for table in (self.quals, self.cols):
            for arr in table.values():
                arr[ids] = np.nan
        return ids

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
        return self.state[: self.n] != SEPARATED

    def holds(self, name: str, now: float) -> np.ndarray:
        """Who holds an unexpired qualification (first `n` rows)."""
        arr = self.quals.get(name)
        if arr is None:
            return np.zeros(self.n, bool)
        return arr[: self.n] > now  # nan compares False

    def holds_one(self, name: str, pid: int, now: float) -> bool:
        arr = self.quals.get(name)
        return arr is not None and bool(arr[pid] > now)

    def holds_all(self, names: list[str] | tuple[str, ...], now: float) -> np.ndarray:
        mask = np.ones(self.n, bool)
        for q in names:
            mask &= self.holds(q, now)
        return mask

    def grade_in(self, grades: list[int] | tuple[int, ...]) -> np.ndarray:
        """Who (first `n` rows) has one of `grades` (a lookup, cheaper than np.isin)."""
        table = np.zeros(3, bool)
        table[list(grades)] = True
        return table[self.grade[: self.n]]

    def strength(self) -> np.ndarray:
        """Active people by grade index."""
        g = self.grade[: self.n][self.active]
        return np.bincount(g, minlength=3)

    def count_by(self, states: tuple[int, ...]) -> np.ndarray:
        """People in any of `states`, by grade index."""
        table = np.zeros(len(STATE_NAMES), bool)
        table[list(states)] = True
        mask = table[self.state[: self.n]]
        return np.bincount(self.grade[: self.n][mask], minlength=3)
