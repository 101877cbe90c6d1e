"""Property: after `extends`, every key's origin is the file and line where it was
written, and the merged data is the child over the parent."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.loader import read_with_extends

keys = st.sampled_from(["a", "b", "c", "d"])
leaves = st.integers(-5, 5) | st.lists(st.integers(0, 9), max_size=3) | st.none()
trees = st.recursive(leaves, lambda sub: st.dictionaries(keys, sub, min_size=1, max_size=3), max_leaves=8)
docs = st.dictionaries(keys, trees, min_size=1, max_size=4)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386, as the RFC's own pseudo-code states it."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def paths(data: Any, at: tuple = ()) -> dict[tuple, Any]:
    out = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out[(*at, k)] = v
            out.update(paths(v, (*at, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out[(*at, i)] = v
    return out


@settings(max_examples=60, deadline=None)
@given(parent=docs, child=docs)
def test_each_key_comes_from_the_file_that_wrote_it(parent, child):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        parent_text = yaml.safe_dump(parent, default_flow_style=False)
        child_text = "extends: parent.yaml\n" + yaml.safe_dump(child, default_flow_style=False)
        (folder / "parent.yaml").write_text(parent_text)
        (folder / "child.yaml").write_text(child_text)
        merged, origins = read_with_extends(folder / "child.yaml")

    assert {k: v for k, v in merged.items() if k != "extends"} == merge_patch(parent, child) or \
        merged == merge_patch(parent, {"extends": "parent.yaml", **child})
    written = {"parent.yaml": paths(parent), "child.yaml": paths({"extends": "parent.yaml", **child})}
    texts = {"parent.yaml": parent_text.splitlines(), "child.yaml": child_text.splitlines()}
    for keys, value in paths(merged).items():
        file, line = origins[keys]
        name = Path(file).name
        assert name == ("child.yaml" if keys in written["child.yaml"] else "parent.yaml"), keys
        assert written[name][keys] == value or isinstance(value, dict)
        if isinstance(keys[-1], str):
            assert texts[name][line - 1].strip().startswith(f"{keys[-1]}:"), (keys, line)


def test_a_child_scenario_drops_an_inherited_course_and_the_restructuring(tmp_path):
    from sim.scenario.loader import load_scenario

    root = Path(__file__).resolve().parent.parent / "scenarios"
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {root / 'nco_reform.yaml'}\nname: no imet, no reform\n"
                     "restructure: null\ntraining:\n  courses:\n    imet: null\n"
                     "timeline: null\n")
    sc = load_scenario(child).scenario
    assert sc.restructure is None and "imet" not in sc.training.courses
    assert "english" in sc.training.courses and sc.timeline == []
