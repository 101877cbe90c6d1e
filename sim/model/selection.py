"""Selection for a contingent's slots: most constrained slot first, from people at home
who volunteer, hold the slot's qualifications and have been home long enough.

A shortfall is explained by the first condition that would have filled it had it held:
nobody qualified in the whole force, nobody available (away, in a course, preparing),
dwell, no volunteer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.people import GRADE_INDEX, HOME, People
from sim.scenario.schema import Slot

REASONS = ("no qualified person", "unavailable", "dwell", "medically non-deployable", "no volunteer")


@dataclass(frozen=True)
class Call:
    """What a selection asks for and under which rules."""

    slots: list[Slot]
    want: dict[int, int]          # slot index -> people wanted
    min_dwell_days: float
    volunteer_prob: float | np.ndarray  # one chance, or one per person (volunteering with memory)
    taken: frozenset[int] = frozenset()  # already selected or excluded
    fit: np.ndarray | None = None        # medically deployable (None: everyone)


def select(people: People, call: Call, now: float, volunteers: np.random.Generator,
           order: np.random.Generator) -> tuple[dict[int, list[int]], dict[int, tuple[int, str]]]:
    """People chosen per slot, and per short slot (missing, reason)."""
    p, n = people, people.n
    home = p.state[:n] == HOME
    dwell = (now - p.last_return[:n]) >= call.min_dwell_days
    volunteer = volunteers.random(n) < call.volunteer_prob
    taken = np.zeros(n, bool)
    taken[list(call.taken)] = True

    def eligible(slot: Slot) -> np.ndarray:
        grades = [GRADE_INDEX[g] for g in slot.grades]
        return p.active & p.grade_in(grades) & p.holds_all(slot.requires, now)

    pools = {i: eligible(call.slots[i]) for i in call.want}
    fit = call.fit if call.fit is not None else np.ones(n, bool)
    ready = home & dwell & fit & volunteer
    ranked = sorted(call.want, key=lambda i: np.count_nonzero(pools[i] & ready) / max(call.want[i], 1))
    chosen: dict[int, list[int]] = {}
    short: dict[int, tuple[int, str]] = {}
    for i in ranked:
        cand = (pools[i] & ready & ~taken).nonzero()[0]
        cand = cand[order.permutation(len(cand))]
        cand = cand[np.argsort(p.last_return[cand], kind="stable")]  # longest at home first
        pick = cand[: call.want[i]]
        taken[pick] = True
        chosen[i] = pick.tolist()
        missing = call.want[i] - len(pick)
        if missing:
            short[i] = (missing, reason(pools[i] & ~taken, home, dwell & fit, missing, dwell))
    return chosen, short


def reason(pool: np.ndarray, home: np.ndarray, ready: np.ndarray, short: int,
           dwell: np.ndarray | None = None) -> str:
    """The first missing condition that would have filled the slot had it held
    (`ready`: home long enough and medically fit; `dwell`: home long enough)."""
    dwell = ready if dwell is None else dwell
    if np.count_nonzero(pool) < short:
        return REASONS[0]
    if np.count_nonzero(pool & home) < short:
        return REASONS[1]
    if np.count_nonzero(pool & home & dwell) < short:
        return REASONS[2]
    if np.count_nonzero(pool & home & ready) < short:
        return REASONS[3]
    return REASONS[4]
