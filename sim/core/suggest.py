"""Near misses: the name a user probably meant ("did you mean 'volunteer_prob'?"), so that
an error names one likely fix instead of listing every allowed name."""
from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.75  # difflib's similarity ratio: 'volunter_prob' -> 'volunteer_prob' is 0.96
TIE = 0.03  # a second name is offered when its ratio is within this of the first's


def near(word: str, choices: Iterable[str], n: int = 2) -> list[str]:
    """The choices closest to `word` (at most `n`), best first; none when nothing is
    close. Case is ignored in the match, kept in the answer."""
    by_lower: dict[str, str] = {}
    for c in choices:
        by_lower.setdefault(str(c).lower(), str(c))
    target = str(word).lower()
    scored = sorted(((difflib.SequenceMatcher(None, target, c).ratio(), c) for c in by_lower
                     if by_lower[c] != word), key=lambda s: -s[0])
    scored = [(r, c) for r, c in scored if r >= CUTOFF]
    # a second name only when it is about as close as the first
    return [by_lower[c] for r, c in scored[:n] if r >= scored[0][0] - TIE]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" or " (did you mean 'x' or 'y'?)", or "" when nothing is
    close: to append to a message."""
    found = near(word, choices)
    if not found:
        return ""
    return " (did you mean " + " or ".join(f"'{f}'" for f in found) + "?)"
