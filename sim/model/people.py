"""The people of the force, one row per person in numpy arrays, and their census.

Flows that need no interaction (attrition, contract ends) act on these arrays in bulk;
timed events only move the few people a decision touches. Every change of state or
grade goes through `add`, `move` or `promote`, which keep a census: head counts by
state and grade, their time integral (person-days, which the ledger prices), and the
least and most people deployed since the series recorder last looked.

Qualifications change only through `grant` (their arrays are read-only elsewhere).
Who joined the force, changed state (left it included), was promoted or was granted a
qualification is kept in a journal, so that a course brings its queue up to date by
looking at those people only (`changed_since`) rather than at everyone. The journal
keeps each person's last entry: who changed since a mark is one comparison over the
rows. A rule kept up to date this way may look at state, grade, joining day and
qualifications; anything else it looks at must be written through a method that adds
to the journal.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

GRADE_INDEX = {"officer": 0, "nco": 1, "soldier": 2}
GRADE_NAMES = ("officer", "nco", "soldier")

HOME, IN_COURSE, PREPARING, DEPLOYED, SEPARATED, IN_BASIC = range(6)
STATE_NAMES = ("home", "in_course", "preparing", "deployed", "separated", "basic_training")
# In the force (strength): the states before SEPARATED. Recruits in basic training are
# people of the store, counted as recruited, but not yet in strength.
ACTIVE_STATES = (HOME, IN_COURSE, PREPARING, DEPLOYED)


def unique(ids: np.ndarray) -> np.ndarray:
    """The ids sorted, once each (np.unique, without its overhead for small arrays)."""
    ids = np.sort(ids)
    if len(ids) > 1:
        keep = np.empty(len(ids), bool)
        keep[0] = True
        np.not_equal(ids[1:], ids[:-1], out=keep[1:])
        ids = ids[keep]
    return ids


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
        self.tables: dict[str, np.ndarray] = {}  # bookkeeping a column a course (queue entry, ...)
        self.counts = np.zeros((len(STATE_NAMES), 3), np.int64)
        self._days = np.zeros((len(STATE_NAMES), 3))
        self._t = now()
        self._low = self._high = 0
        self._version = 0  # bumped by every change of who is in strength or of a grade
        self._masks: dict[tuple[int, ...], tuple[int, int, np.ndarray]] = {}
        self._entries = 0  # entries in the journal (ids added, moved, promoted or granted)
        self._last_entry = np.full(capacity, -1, np.int64)  # each person's last entry (-1: none)
        self._changed: tuple[tuple[int, int], np.ndarray] = ((-1, -1), np.zeros(0, np.int64))
        self.expiring: set[str] = set()  # qualifications held somewhere for a limited time

    # -- census ---------------------------------------------------------------
    def _touch(self) -> None:
        """Integrate head counts up to now before they change."""
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
        for name in ("grade", "state", "joined", "contract_end", "last_return", "tours", "leaving", "_last_entry"):
            old = getattr(self, name)
            fill = {"state": SEPARATED, "last_return": -np.inf, "leaving": np.nan, "_last_entry": -1}.get(name, 0)
            arr = np.full(new, fill, old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        for key, old in self.quals.items():
            arr = np.full(new, np.nan)
            arr[:cap] = old
            arr.flags.writeable = False
            self.quals[key] = arr
        for key, old in self.tables.items():
            arr = np.full((new, old.shape[1]), np.nan, order="F")
            arr[:cap] = old
            self.tables[key] = arr

    def add(self, grade: int, count: int, joined: np.ndarray | float,
            contract_end: np.ndarray | float, state: int = HOME) -> np.ndarray:
        """Add `count` people of one grade at home (or in `state`); returns their ids."""
        self._touch()
        self._version += 1
        self._reserve(count)
        first = self.n
        new = slice(first, first + count)
        self.n += count
        self.grade[new] = grade
        self.state[new] = state
        self.joined[new] = joined
        self.contract_end[new] = contract_end
        self.last_return[new] = -np.inf
        self.tours[new] = 0
        self.leaving[new] = np.nan
        for arr in self.tables.values():
            arr[new] = np.nan
        # qualification rows beyond `n` are never written: not held
        self.counts[state, grade] += count
        self._note(new)
        return np.arange(first, first + count)

    def move(self, ids: np.ndarray | list[int], state: int) -> None:
        """Put people in `state` (home, a course, preparing, deployed, separated)."""
        ids = np.asarray(ids, dtype=np.int64)
        k = len(ids)
        if not k:
            return
        self._touch()
        self._note(ids)  # any change of state: a rule may look at it
        counts = self.counts
        if k == 1:
            pid = int(ids[0])
            old, g = int(self.state[pid]), int(self.grade[pid])
            counts[old, g] -= 1
            counts[state, g] += 1
            self.state[pid] = state
            deployed, outside = old == DEPLOYED, old >= SEPARATED
        else:
            grades = self.grade[ids]
            cells = np.bincount(self.state[ids] * 3 + grades, minlength=3 * len(STATE_NAMES)).reshape(-1, 3)
            counts -= cells
            counts[state] += np.bincount(grades, minlength=3)
            self.state[ids] = state
            deployed = bool(np.count_nonzero(cells[DEPLOYED]))
            outside = bool(np.count_nonzero(cells[SEPARATED:]))
        if outside or state >= SEPARATED:  # into or out of strength
            self._version += 1
        if deployed or state == DEPLOYED:
            self._watch()

    def promote(self, ids: np.ndarray, grade: int) -> None:
        self._touch()
        self._version += 1
        self._note(ids)
        states = self.state[ids]
        self.counts -= np.bincount(states * 3 + self.grade[ids], minlength=3 * len(STATE_NAMES)).reshape(-1, 3)
        self.counts[:, grade] += np.bincount(states, minlength=len(STATE_NAMES))
        self.grade[ids] = grade

    def table(self, name: str, width: int) -> np.ndarray:
        """A float table (nan by default) of at least `width` columns, a row a person, for
        bookkeeping that is not a person's trait (a column a course). Column-major: a
        column is contiguous. The store may reallocate it as it grows: ask again."""
        arr = self.tables.get(name)
        if arr is None or arr.shape[1] < width:
            new = np.full((len(self.grade), width), np.nan, order="F")
            if arr is not None:
                new[:, : arr.shape[1]] = arr
            self.tables[name] = arr = new
        return arr

    def qual(self, name: str) -> np.ndarray:
        """Expiry days of a qualification, one a person (read-only: see `grant`)."""
        arr = self.quals.get(name)
        if arr is None:
            arr = np.full(len(self.grade), np.nan)
            arr.flags.writeable = False
            self.quals[name] = arr
        return arr

    def grant(self, name: str, ids: np.ndarray, expiry: float | np.ndarray) -> None:
        """`ids` hold qualification `name` until `expiry` (a day each, or one for all;
        inf: for good)."""
        ids = np.asarray(ids, dtype=np.int64)
        arr = self.qual(name)
        if not len(ids):
            return
        arr.flags.writeable = True
        arr[ids] = expiry
        arr.flags.writeable = False
        if name not in self.expiring and np.isfinite(expiry).any():
            self.expiring.add(name)
        self._note(ids)

    # -- the journal --------------------------------------------------------
    def _note(self, ids: np.ndarray | slice) -> None:
        """An entry in the journal: `ids` changed."""
        self._last_entry[ids] = self._entries
        self._entries += 1

    def journal(self) -> int:
        """A mark in the journal, for `changed_since`."""
        return self._entries

    def look(self) -> tuple[float, int]:
        """Now and a mark in the journal: what `differ_since` compares with."""
        return self.now(), self._entries

    def differ_since(self, look: tuple[float, int], quals: Iterable[str] = (),
                     served: float = 0.0, also: Iterable[np.ndarray] = ()) -> np.ndarray:
        """Who (sorted, once each) may meet a rule on membership of the force, grade,
        holding `quals` and having served `served` days differently now than at `look`:
        those in the journal since, those whose service passed `served` or whose
        qualification expired meanwhile; and `also`."""
        then, mark = look
        parts = [self.changed_since(mark), *self.crossed(then, quals, served), *also]
        return parts[0] if len(parts) == 1 else unique(np.concatenate(parts))

    def crossed(self, then: float, quals: Iterable[str] = (), served: float = 0.0) -> list[np.ndarray]:
        """Who, after `then` and up to now, completed `served` days of service or saw a
        qualification of `quals` expire (arrays of ids)."""
        now, n, found = self.now(), self.n, []
        if now > then:
            if served > 0:
                joined = self.joined[:n]
                found.append(((joined > then - served) & (joined <= now - served)).nonzero()[0])
            for q in quals:
                if q in self.expiring:
                    expiry = self.quals[q][:n]
                    found.append(((expiry > then) & (expiry <= now)).nonzero()[0])
        return found

    def changed_since(self, mark: int) -> np.ndarray:
        """Who (sorted, once each) joined the force, changed state, was promoted or was
        granted a qualification since `mark` (worked out once for all who ask)."""
        key = (mark, self._entries)
        if self._changed[0] != key:
            self._changed = (key, (self._last_entry[: self.n] >= mark).nonzero()[0])
        return self._changed[1]

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
            mask = self.grade_in(grades)
            mask &= self.state[: self.n] < SEPARATED
            hit = (self._version, self.n, mask)
            self._masks[grades] = hit
        return hit[2].copy()

    def grade_in(self, grades: list[int] | tuple[int, ...]) -> np.ndarray:
        """Who (first `n` rows) has one of `grades`."""
        wanted = set(grades)
        grade = self.grade[: self.n]
        if len(wanted) == 1:
            return grade == next(iter(wanted))
        if len(wanted) == 2:  # of three grades: all but one
            return grade != ({0, 1, 2} - wanted).pop()
        table = np.zeros(3, bool)
        table[list(wanted)] = True
        return table[grade]

    def strength(self) -> np.ndarray:
        """Active people by grade index."""
        return self.counts[: SEPARATED].sum(axis=0)

    def count_by(self, states: tuple[int, ...]) -> np.ndarray:
        """People in any of `states`, by grade index."""
        return self.counts[list(states)].sum(axis=0)
