"""`capacity` (issue 10): the largest sustainable contingent, against the rotation
arithmetic; more volunteers give more; deployments draw on one force by priority."""
from __future__ import annotations

import copy
import json
import math

import pytest
from click.testing import CliRunner
from model_cases import rotation_case, scenario

from sim.cli import main
from sim.core.errors import InputError
from sim.execution.engine import run_replication
from sim.studies.capacity import find_capacity, scaled_counts


def arithmetic(pool: int, tour: float, dwell: float) -> int:
    """Back from tour k, a person can next go on tour k + 1 + ceil(dwell / tour)."""
    return pool // (1 + math.ceil(dwell / tour))


@pytest.mark.parametrize("pool,tour,dwell", [(30, 100, 150), (31, 100, 150), (20, 182, 365), (12, 120, 0)])
def test_largest_contingent_is_the_rotation_arithmetic_exactly(pool: int, tour: float, dwell: float) -> None:
    """All volunteers, no losses, no preparation: a deterministic rotation."""
    sc = scenario(rotation_case(pool, 1, tour, dwell, 6))
    cap = find_capacity(sc, "op", fill=1.0, confidence=1.0, reps=1, workers=1)
    assert cap.largest_contingent == arithmetic(pool, tour, dwell)
    assert cap.binding_constraint == ("strength" if dwell == 0 else "dwell")


def test_more_volunteers_give_a_larger_contingent() -> None:
    data = rotation_case(60, 5, 120, 120, 5)
    data["deployments"][0]["volunteer_prob"] = 0.5
    few = find_capacity(scenario(data), fill=0.95, confidence=0.8, reps=4, workers=1)
    data["deployments"][0]["volunteer_prob"] = 0.9
    many = find_capacity(scenario(data), fill=0.95, confidence=0.8, reps=4, workers=1)
    assert few.binding_constraint == "volunteers"
    assert many.largest_contingent > few.largest_contingent


def test_scaling_keeps_the_shape() -> None:
    assert scaled_counts([1, 1, 6, 3, 12, 2], 25) == [1, 1, 6, 3, 12, 2]
    assert sum(scaled_counts([1, 1, 6, 3, 12, 2], 37)) == 37
    assert scaled_counts([1, 3], 8) == [2, 6]


def test_deployments_draw_on_one_force_in_priority_order() -> None:
    """Ten people, two deployments called up at the same moment for ten each: the one
    first by priority is filled, the other goes out empty; swap them and it swaps."""
    data = rotation_case(10, 10, 100, 0, 2)
    second = copy.deepcopy(data["deployments"][0])
    second["name"] = "other"
    data["deployments"].append(second)
    data["deployments"][0]["priority"] = 1
    r = run_replication(scenario(data), 0, seed=1)
    assert (r.metrics["rotation_fill_rate.other"], r.metrics["rotation_fill_rate.op"]) == (1.0, 0.0)
    data["deployments"][0]["priority"] = 0
    r = run_replication(scenario(data), 0, seed=1)
    assert (r.metrics["rotation_fill_rate.other"], r.metrics["rotation_fill_rate.op"]) == (0.0, 1.0)


def test_unknown_deployment_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no deployment 'mars'"):
        find_capacity(scenario(rotation_case(10, 2, 100, 0, 2)), "mars", reps=1, workers=1)


def test_cli_prints_answer_and_binding_constraint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    path = tmp_path / "rot.yaml"
    path.write_text(yaml.safe_dump(rotation_case(30, 1, 100, 150, 6)))
    out = CliRunner().invoke(main, ["capacity", str(path), "--reps", "1", "--workers", "1",
                                    "--fill", "1", "--confidence", "1", "--format", "json", "-q"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"deployment", "largest_contingent", "binding_constraint", "fill_rate", "confidence"} <= set(data)
    assert (data["largest_contingent"], data["binding_constraint"]) == (10, "dwell")
    table = CliRunner().invoke(main, ["capacity", str(path), "--reps", "1", "--workers", "1", "-q"])
    assert table.exit_code == 0 and "largest contingent" in table.output and "binding constraint" in table.output
    bad = CliRunner().invoke(main, ["capacity", str(path), "--deployment", "mars", "--reps", "1"])
    assert bad.exit_code == 1 and "no deployment 'mars'" in bad.output
    bad = CliRunner().invoke(main, ["capacity", str(path), "--fill", "1.5"])
    assert bad.exit_code == 1
