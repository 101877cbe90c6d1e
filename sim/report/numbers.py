"""Numbers for people, in the sentences and tables of reports: shares as percentages,
about three significant figures, thousands separators, dollars with $ and millions as
"M", never scientific notation. (CSV files for machines keep full precision.)"""
from __future__ import annotations

import math


def sig(v: float, digits: int = 3) -> str:
    """`v` to about `digits` significant figures, with thousands separators: 1,234,
    0.0123, 45.6; whole numbers of more digits are kept whole (12,345)."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    magnitude = math.floor(math.log10(abs(v)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{round(v, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


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
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a >= 1e6:
        return f"{sign}${sig(a / 1e6)} M"
    return f"{sign}${sig(a, max(3, len(str(int(a)))))}"


def amount(v: float | None, unit: str = "") -> str:
    """A value of a metric or input in its unit, for people: shares as percentages,
    dollars, other numbers to about three significant figures."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if unit == "share":
        return pct(v)
    if unit == "USD":
        return usd(v)
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return sig(float(v))


def span(lo: float | None, hi: float | None, unit: str = "") -> str:
    """"lo to hi" in `amount`'s format."""
    return f"{amount(lo, unit)} to {amount(hi, unit)}"
