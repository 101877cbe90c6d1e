"""Like with like: the horizon a comparison runs its scenarios over.

By default every scenario runs to the common horizon, its `end` set to the earliest end
among the items compared (a saved report's included): totals over two years and over
five are not comparable. A timeline entry after the common end would never happen and
is dropped (the scenario checks refuse a timeline entry after the end). `own` keeps each
scenario's end; then only metrics whose kind is `state` (a value at a date) get a
verdict where the horizons differ.
"""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.errors import InputError
from sim.core.metrics import metric_info
from sim.scenario.loader import LoadedScenario, validate

MODES = ("common", "own")


@dataclass(frozen=True)
class Cut:
    """A scenario run to an earlier end than its file's."""

    end_as_written: str
    timeline_dropped: int


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InputError.single(f"horizon: expected one of {', '.join(MODES)}, found {mode!r}")
    return mode


def common_end(ends: Sequence[str | dt.date | None]) -> dt.date | None:
    dates = [dt.date.fromisoformat(str(e)[:10]) for e in ends if e]
    return min(dates) if dates else None


def _date(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def cut_to(loaded: LoadedScenario, end: dt.date) -> tuple[LoadedScenario, Cut | None]:
    """`loaded` ending at `end` (unchanged when it ends there or earlier), checked again
    as the loader checks a file; timeline entries after `end` are dropped."""
    sc = loaded.scenario
    if sc.end <= end:
        return loaded, None
    raw = copy.deepcopy(loaded.raw)
    raw["end"] = end
    timeline = raw.get("timeline") or []
    kept = [e for e in timeline if not isinstance(e, dict) or (_date(e.get("at")) or end) <= end]
    if timeline:
        raw["timeline"] = kept
    try:
        scenario, _ = validate(raw, loaded.origins, loaded.file)
    except InputError as err:
        raise InputError.single(
            f"{loaded.file}: cannot run '{sc.name}' to the common horizon (end {end}): "
            f"{err}; compare with --horizon own (horizon='own') to keep each end") from None
    cut = LoadedScenario(scenario, loaded.file, loaded.sha256, raw, loaded.warnings,
                         loaded.origins)
    return cut, Cut(sc.end.isoformat(), len(timeline) - len(kept))


def verdict_kept(metric: str, alike: bool) -> bool:
    """Whether a difference gets a verdict: always over one horizon; over different
    horizons only for a state (a value at a date, not a total over the run)."""
    if alike:
        return True
    info = metric_info(metric)
    return info is not None and info.kind == "state"
