"""Scenario `thresholds:` ("rotation_fill_rate >= 0.95") and the share of replications
that breach each."""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sim.core.results import ReplicationResult

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq,
}
_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|==|>|<)\s*(\S+)\s*$")


class Threshold(NamedTuple):
    metric: str
    op: str
    value: float

    def holds(self, x: float) -> bool:
        return OPERATORS[self.op](x, self.value)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_threshold(text: str) -> Threshold:
    """Parse "METRIC OP NUMBER"; raise ValueError saying what was expected and found."""
    m = _PATTERN.match(str(text))
    if not m:
        raise ValueError(f"expected 'METRIC OP NUMBER' with OP one of "
                         f"{', '.join(OPERATORS)} (e.g. 'rotation_fill_rate >= 0.95'), "
                         f"found '{text}'")
    try:
        value = float(m.group(3))
    except ValueError:
        raise ValueError(f"expected a number after '{m.group(2)}', found '{m.group(3)}' "
                         f"in '{text}'") from None
    if not math.isfinite(value):  # nor can report.json hold one
        raise ValueError(f"expected a finite number after '{m.group(2)}', found "
                         f"'{m.group(3)}' in '{text}'")
    return Threshold(m.group(1), m.group(2), value)


def breach_shares(thresholds: Sequence[str], results: Sequence[ReplicationResult]
                  ) -> list[dict[str, Any]]:
    """For each threshold: replications evaluated, breaches, and the breached share.

    A replication where the metric is None (does not apply, or a time-to-event that never
    happened) is not counted as evaluated; `not_applicable` says how many were skipped.
    """
    ok = [r for r in results if r.ok]
    out = []
    for text in thresholds:
        th = parse_threshold(text)
        values = [r.metrics.get(th.metric) for r in ok]
        known = [v for v in values if v is not None]
        breaches = sum(not th.holds(float(v)) for v in known)
        out.append({"threshold": str(text), "metric": th.metric, "op": th.op,
                    "value": th.value, "evaluated": len(known),
                    "not_applicable": len(values) - len(known), "breaches": breaches,
                    "breach_share": breaches / len(known) if known else None})
    return out
