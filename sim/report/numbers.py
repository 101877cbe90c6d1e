"""Numbers for people, in the sentences and tables of reports: shares as percentages,
about three significant figures, thousands separators, dollars with $ and millions as
"M", never scientific notation (the conventions of `sim.report.document.fmt` for
reports, with dollars). CSV files for machines keep full precision."""
from __future__ import annotations

import math


def sig(v: float, digits: int = 3) -> str:
    """`v` to `digits` significant figures in plain decimal notation, with thousands
    separators and no trailing zeros: 0.0123, 45.7, 1,230 (1,234 to three figures)."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    places = digits - 1 - math.floor(math.log10(abs(v)))
    text = f"{round(v, places):,.{max(0, places)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(v: float) -> str:
    """Millions and billions as "2.58 M" and "1.2 B"; from 100 on, whole numbers with
    thousands separators; below, three significant figures."""
    a = abs(v)
    if a >= 999.5e6:
        return f"{sig(v / 1e9)} B"
    if a >= 999_999.5:
        return f"{sig(v / 1e6)} M"
    if a >= 99.95:
        return f"{round(v):,}"
    return sig(v)


def pct(x: float, digits: int = 3) -> str:
    """A share as a percentage, about `digits` significant figures but at most one
    decimal (two within 0.1% of 0 or 100%): 93.2%, 100%, 0.05%."""
    p = 100 * x
    if p in (0.0, 100.0):
        return f"{p:.0f}%"
    decimals = 2 if (0 < p < 0.1 or 99.9 < p < 100) else 1 if abs(p) < 100 else 0
    text = f"{p:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def usd(v: float) -> str:
    """$1,234, $45,600, $7.32 M, -$12,000."""
    return ("-$" if v < 0 else "$") + _scaled(abs(v))


def amount(v: float | None, unit: str = "") -> str:
    """A value of a metric or input in its unit, for people: shares as percentages,
    dollars, other numbers to about three significant figures."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if unit == "share":
        return pct(v)
    if unit == "USD":
        return usd(v)
    return _scaled(float(v))


def span(lo: float | None, hi: float | None, unit: str = "") -> str:
    """"lo to hi" in `amount`'s format."""
    return f"{amount(lo, unit)} to {amount(hi, unit)}"
