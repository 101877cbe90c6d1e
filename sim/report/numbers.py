"""Numbers for people in the sentences and tables of the exploration reports: the
conventions of `sim.report.document.fmt` (about three significant figures, thousands
separators, shares as percentages, millions as "2.58 M", never scientific notation),
with dollars as "$7.32 M". CSV files for machines keep full precision."""
from __future__ import annotations

import math

from sim.report.document import fmt, sig

__all__ = ["amount", "pct", "sig", "usd"]


def pct(x: float) -> str:
    """A share as a percentage: 93.2%, 100%, 0.05%."""
    return fmt(x, unit="share")


def usd(v: float) -> str:
    """$1,234, $45,600, $7.32 M, -$12,000."""
    return ("-$" if v < 0 else "$") + fmt(abs(v))


def amount(v: float | None, unit: str = "") -> str:
    """A value of a metric or input in its unit, for people: shares as percentages,
    dollars with $, other numbers as `fmt` writes them."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return usd(v) if unit == "USD" else fmt(v, unit=unit)
