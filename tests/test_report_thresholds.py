"""Threshold parsing and breach shares."""
from __future__ import annotations

import pytest

from sim.core.results import ReplicationResult
from sim.core.thresholds import Threshold, breach_shares, parse_threshold


def test_parse_each_operator():
    assert parse_threshold("rotation_fill_rate >= 0.95") == Threshold("rotation_fill_rate", ">=", 0.95)
    assert parse_threshold("strength_end.officer<40") == Threshold("strength_end.officer", "<", 40)
    for op in (">=", "<=", ">", "<", "=="):
        assert parse_threshold(f"killed {op} 1").op == op


@pytest.mark.parametrize("text, fragment", [
    ("rotation_fill_rate => 0.95", "METRIC OP NUMBER"),
    ("killed <= many", "expected a number"),
    ("", "METRIC OP NUMBER"),
    ("killed 0", "METRIC OP NUMBER"),
])
def test_parse_errors_say_what_was_expected(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_threshold(text)


def test_breach_shares():
    res = [ReplicationResult(i, [1, i], metrics={"rotation_fill_rate": v, "days_to_foc": f})
           for i, (v, f) in enumerate([(1.0, 10.0), (0.9, None), (0.94, 400.0), (0.96, None)])]
    failed = ReplicationResult(9, [1, 9], error="boom")
    out = breach_shares(["rotation_fill_rate >= 0.95", "days_to_foc <= 365"], res + [failed])
    assert out[0]["breaches"] == 2 and out[0]["evaluated"] == 4 and out[0]["breach_share"] == 0.5
    assert out[1]["evaluated"] == 2 and out[1]["not_applicable"] == 2
    assert out[1]["breach_share"] == 0.5
