"""Scenario discovery on a sweep store: in which factor ranges does an outcome of interest
happen? PRIM boxes (`prim.py`, kazsim's own) with their peeling trajectory and each
restriction's quasi-p value, and a classification tree (scikit-learn) as a second view.

The outcome is judged per replication and summarised per design point: a point is a case
of interest when the outcome happens in at least `share` of its finished replications
(default one half). A null metric does not meet the condition; failed runs are left out.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from sim.core.errors import InputError
from sim.core.input_labels import input_labels
from sim.core.suggest import did_you_mean
from sim.core.version import __version__
from sim.report.numbers import sig
from sim.report.provenance import api_command, git_commit
from sim.studies.discover.prim import Peeling
from sim.studies.optimize.policy import OPERATORS
from sim.studies.sweep.store import NotAStore, Store

SIGNIFICANCE = 0.05  # a restriction is reported when its quasi-p value is below this
_WHERE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|==|!=|<|>)\s*"
                    r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Where:
    text: str
    metric: str
    op: str
    value: float

    def met(self, v: Any) -> bool:
        return v is not None and not (isinstance(v, float) and math.isnan(v)) and bool(
            OPERATORS[self.op](v, self.value))


def parse_where(text: str) -> Where:
    m = _WHERE.match(text)
    if not m:
        raise InputError.single(f"--where: expected 'METRIC OP VALUE' with OP one of "
                                f"{', '.join(OPERATORS)}, found {text!r}")
    return Where(" ".join(text.split()), m.group(1), m.group(2), float(m.group(3)))


def read_sweep_store(path: str | Path) -> tuple[Any, Any]:
    """(experiments, outcomes) of a sweep store, as DataFrames: experiments one row per
    design point (index `point`, a column per factor); outcomes one row per finished run
    (`point`, `replication`, a column per metric). The one place that reads the store's
    layout for exploration."""
    import pandas as pd


    if not Path(path).is_file():
        raise InputError.single(f"{path}: no such sweep store")
    try:
        store = Store(path, readonly=True)
    except NotAStore as err:
        raise InputError.single(str(err)) from None
    with store:
        if store.meta("spec") is None:
            raise InputError.single(f"{path}: not a kazsim sweep database")
        factors = store.factors()
        experiments = pd.DataFrame([{"point": p, **params} for p, params, _ in store.design()],
                                   columns=["point", *factors]).set_index("point")
        rows = [{"point": r.point, "replication": r.replication, **r.metrics}
                for r in store.runs() if r.status == "ok"]
    outcomes = pd.DataFrame(rows)
    if outcomes.empty:
        raise InputError.single(f"{path}: the sweep has no finished runs yet")
    return experiments, outcomes


class RestrictionJson(TypedDict, total=False):
    low: float
    high: float
    qp: float


class BoxJson(TypedDict, total=False):
    index: int
    case: bool
    coverage: float
    density: float
    mass: float
    restrictions: dict[str, RestrictionJson]
    qp: dict[str, RestrictionJson]
    not_significant: list[str]
    unrestricted: list[str]


class TreeNode(TypedDict):
    """A node of the classification tree as the report reads it."""

    node: int
    depth: int
    condition: str  # what leads to it, in words at the tested values
    factor: str | None  # the factor of that condition (None at the root)
    points: int
    cases: int
    leaf: bool


class DiscoveryJson(TypedDict):
    """discover.json (without the command line the report adds)."""

    where: str
    method: str
    share: float
    points: int
    cases: int
    significance: dict[str, str | float | None]
    boxes: list[BoxJson]
    trajectory: list[dict[str, float | None]]
    tree: dict[str, str | list[BoxJson] | list[TreeNode]]


@dataclass(frozen=True)
class Restriction:
    """A factor's range in a box (a discrete factor's levels by their index), with its
    quasi-p value in a PRIM box (None in a tree's leaf)."""

    low: float
    high: float
    qp: float | None = None

    def to_json(self) -> RestrictionJson:
        out = RestrictionJson(low=self.low, high=self.high)
        if self.qp is not None:
            out["qp"] = self.qp
        return out


@dataclass
class Box:
    """A box of the factor space: a PRIM box of the peeling trajectory (with every
    factor PRIM limited, `qp`, and those left out as not significant) or a tree's leaf
    (with `case`: whether most of its points are cases). Fields that do not apply are
    None, and left out of discover.json. Read by key too (`box["coverage"]`), as the
    plain mappings of earlier versions were."""

    index: int
    coverage: float
    density: float
    mass: float
    restrictions: dict[str, Restriction]
    case: bool | None = None
    qp: dict[str, Restriction] | None = None
    not_significant: list[str] | None = None
    unrestricted: list[str] | None = None  # the factors a box leaves free

    def to_json(self, qp: bool = True) -> BoxJson:
        out = BoxJson(index=self.index)
        if self.case is not None:
            out["case"] = self.case
        out["coverage"], out["density"], out["mass"] = self.coverage, self.density, self.mass
        out["restrictions"] = {k: r.to_json() for k, r in self.restrictions.items()}
        if self.qp is not None and qp:
            out["qp"] = {k: r.to_json() for k, r in self.qp.items()}
        if self.not_significant is not None:
            out["not_significant"] = self.not_significant
        if self.unrestricted is not None:
            out["unrestricted"] = self.unrestricted
        return out

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]  # type: ignore[literal-required]
def sweep_provenance(path: str | Path) -> dict[str, Any]:
    """How the sweep in the store at `path` was made: its file, base scenario, seed,
    replications, command, and the kazsim version and commit that ran it."""
    with Store(path, readonly=True) as store:
        meta = {k: store.meta(k) for k in ("sweep_file", "scenario_file", "scenario_name",
                                           "command", "version", "commit", "overrides")}
        spec = json.loads(store.meta("spec") or "{}")
        counts = store.counts()
    scenario_file = meta.get("scenario_file") or ""
    return {"store": str(path), "sweep_file": meta.get("sweep_file") or "",
            "scenario": {"name": meta.get("scenario_name") or "",
                         "file": os.path.normpath(scenario_file) if scenario_file else ""},
            "design": spec.get("design", ""), "seed": spec.get("seed"),
            "replications": spec.get("replications"),
            "overrides": json.loads(meta.get("overrides") or "[]"),
            "runs": {"ok": counts.get("ok", 0), "failed": counts.get("failed", 0)},
            "command": meta.get("command") or "", "version": meta.get("version") or "",
            "commit": meta.get("commit") or ""}


@dataclass
class Discovery:
    where: Where
    method: str
    share: float
    experiments: Any  # DataFrame: design points x factors
    outcomes: Any  # DataFrame: one row per finished run
    cases: Any  # Series: per point, the share of its replications meeting `where`
    trajectory: Any  # DataFrame: the peeling trajectory (coverage, density, mass, res dim)
    boxes: list[Box]  # recommended first
    tree_rules: str
    tree_leaves: list[Box] = field(default_factory=list)
    tree_nodes: list[TreeNode] = field(default_factory=list)  # readable, for the figure
    provenance: dict[str, Any] = field(default_factory=dict)  # this discovery's and the sweep's
    _peeling: Peeling | None = None
    _tree: Any = None

    def __repr__(self) -> str:
        n = int((self.cases >= self.share).sum())
        first = self.boxes[0] if self.boxes else None
        box = (f"; box 0: coverage {first.coverage:.2f}, density {first.density:.2f}, "
               f"{len(first.restrictions)} restriction(s)" if first is not None else "")
        return (f"<Discovery {self.where.text!r} ({self.method}): {n} of "
                f"{len(self.cases)} points are cases{box}>")

    def boxes_frame(self) -> Any:
        """The boxes as a DataFrame: one row per (box, restricted factor), recommended first."""
        import pandas as pd

        rows = [{"rank": rank, "box": b.index, "coverage": b.coverage,
                 "density": b.density, "factor": f, "low": r.low, "high": r.high,
                 "qp": r.qp}
                for rank, b in enumerate(self.boxes) for f, r in b.restrictions.items()]
        return pd.DataFrame(rows, columns=["rank", "box", "coverage", "density", "factor",
                                           "low", "high", "qp"])

    def box(self, i: int) -> Any:
        """The restrictions of trajectory box `i` (a DataFrame: low, high, qp, significant)."""
        return _restrictions_frame(self._box_at(i))

    def _box_at(self, i: int) -> Box:
        if self._peeling is None:
            raise ValueError("trajectory boxes exist for --method prim only")
        if not 0 <= i < len(self.trajectory):
            raise IndexError(f"box {i}: the trajectory has boxes 0 to {len(self.trajectory) - 1}")
        return _prim_entry(self, i)

    @property
    def factor_labels(self) -> dict[str, str]:
        return input_labels([str(c) for c in self.experiments.columns])

    def to_json(self) -> DiscoveryJson:
        return {"where": self.where.text, "method": self.method, "share": self.share,
                "points": int(len(self.cases)), "cases": int((self.cases >= self.share).sum()),
                "significance": (
                    {"test": "quasi-p value (one-sided binomial, Bryant & Lempert 2010)",
                     "threshold": SIGNIFICANCE} if self.method == "prim" else
                    {"test": "none: a factor is restricted where the tree splits on it",
                     "threshold": None}),
                "boxes": [b.to_json(qp=False) for b in self.boxes],
                "trajectory": _records(self.trajectory),
                "tree": {"rules": self.tree_rules,
                         "leaves": [b.to_json() for b in self.tree_leaves],
                         "nodes": self.tree_nodes}}

    def provenance_json(self) -> dict[str, Any]:
        """`scenario` and `run` as report.json has them: the base scenario of the sweep;
        this command, its time, version and commit; the store and the sweep's seed."""
        p = self.provenance
        sweep = p.get("sweep", {})
        return {"scenario": sweep.get("scenario", {}),
                "run": {"command": p.get("command", ""), "started": p.get("started", ""),
                        "version": p.get("version", ""), "commit": p.get("commit"),
                        "store": sweep.get("store", ""), "seed": sweep.get("seed"),
                        "replications": sweep.get("replications"),
                        "overrides": sweep.get("overrides", []),
                        "sweep": {k: sweep.get(k) for k in ("sweep_file", "design", "runs",
                                                            "command", "version", "commit")}}}


D = TypeVar("D", bound="Discovery")


def discover(store: str | Path, where: str, method: str = "prim", share: float = 0.5,
             box: int | None = None, *, command: str | None = None,
             result_type: type[D] = Discovery) -> D:  # type: ignore[assignment]
    """Scenario discovery on the sweep store at `store` (see the module's docstring).
    `command`: how the discovery was asked for, recorded in its report (default: this
    call, as Python). `result_type`: the class of the result (a `Discovery`)."""
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    experiments, outcomes = read_sweep_store(store)
    cond = parse_where(where)
    if cond.metric not in outcomes.columns:
        held = sorted(c for c in outcomes.columns if c not in ("point", "replication"))
        raise InputError.single(f"--where: the store holds no metric '{cond.metric}'"
                                + (did_you_mean(cond.metric, held)
                                   or f" (it holds: {', '.join(held)})"))
    met = outcomes[cond.metric].map(cond.met)
    cases = met.groupby(outcomes["point"]).mean().reindex(experiments.index)
    cases = cases.dropna()
    x = as_numbers(experiments.loc[cases.index])
    y = (cases >= share).to_numpy()
    if y.all() or not y.any():
        raise InputError.single(f"--where {cond.text!r} holds at {'every' if y.all() else 'no'} "
                                "design point: nothing to discover")
    result = result_type(cond, method, share, experiments, outcomes, cases, None, [], "")
    result.provenance = {
        "command": command or api_command("discover", str(store), where=where,
                                          method=None if method == "prim" else method,
                                          share=None if share == 0.5 else share, box=box),
        "started": started, "version": __version__, "commit": git_commit(),
        "sweep": sweep_provenance(store)}
    result._tree, result.tree_leaves = _tree(x, y)
    result.tree_nodes = tree_nodes(result._tree, x, y, experiments)
    result.tree_rules = tree_text(result.tree_nodes)
    if method == "prim":
        _prim(result, x, y, box)
    else:
        result.trajectory = _leaf_trajectory(result.tree_leaves)
        result.boxes = [b for b in result.tree_leaves if b.case]
        result.boxes.sort(key=lambda b: -_f1(b.coverage, b.density))
    for b in result.boxes:
        b.unrestricted = [f for f in experiments.columns if f not in b.restrictions]
    return result


def as_numbers(experiments: Any) -> Any:
    """Factor columns as numbers: discrete non-numeric levels by their index."""
    import pandas as pd

    out = experiments.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            levels = sorted(out[col].astype(str).unique())
            out[col] = out[col].astype(str).map(levels.index).astype(float)
        else:
            out[col] = out[col].astype(float)
    return out


def _f1(coverage: float, density: float) -> float:
    return 2 * coverage * density / (coverage + density) if coverage + density else 0.0


def _prim(result: Discovery, x: Any, y: Any, chosen: int | None) -> None:
    peeling = Peeling(x, y)
    result._peeling = peeling
    traj = peeling.trajectory()
    result.trajectory = traj
    # recommended: the trajectory's coverage-density frontier, best balance (F1) first
    idx = list(range(len(traj)))
    frontier = [i for i in idx if not any(
        traj.coverage[j] >= traj.coverage[i] and traj.density[j] >= traj.density[i]
        and (traj.coverage[j], traj.density[j]) != (traj.coverage[i], traj.density[i])
        for j in idx)]
    frontier.sort(key=lambda i: (-_f1(traj.coverage[i], traj.density[i]), -i))
    seen: set[tuple[float, float]] = set()
    order = []
    for i in frontier:
        key = (round(traj.coverage[i], 12), round(traj.density[i], 12))
        if key not in seen:
            seen.add(key)
            order.append(i)
    if chosen is not None:
        if not 0 <= chosen < len(traj):
            raise InputError.single(f"--box {chosen}: the peeling trajectory has boxes 0 to "
                                    f"{len(traj) - 1}")
        order = [chosen, *(i for i in order if i != chosen)]
    result.boxes = [_prim_entry(result, i) for i in order]


def _prim_entry(result: Discovery, i: int) -> Box:
    assert result._peeling is not None
    traj = result.trajectory
    restrictions, qp = {}, {}
    for r in result._peeling.restrictions(i):  # most significant first
        limit = Restriction(_plain(r.low), _plain(r.high), r.qp)
        qp[r.factor] = limit
        if r.qp < SIGNIFICANCE:
            restrictions[r.factor] = limit
    return Box(i, float(traj.coverage[i]), float(traj.density[i]), float(traj.mass[i]),
               restrictions, qp=qp, not_significant=sorted(set(qp) - set(restrictions)))


def _restrictions_frame(box: Box) -> Any:
    import pandas as pd

    rows = [{"factor": k, "low": r.low, "high": r.high, "qp": r.qp,
             "significant": k in box.restrictions} for k, r in (box.qp or {}).items()]
    return pd.DataFrame(rows, columns=["factor", "low", "high", "qp", "significant"])


def _tree(x: Any, y: Any) -> tuple[Any, list[Box]]:
    """A shallow classification tree and its leaves as boxes."""
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    leaf_min = max(3, len(y) // 50)
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=leaf_min, random_state=0)
    tree.fit(x.to_numpy(), y)
    t = tree.tree_
    total = int(y.sum())
    leaves: list[Box] = []

    def walk(node: int, bounds: dict[str, list[float]]) -> None:
        if t.children_left[node] == -1:
            inside = np.ones(len(y), dtype=bool)
            for name, (lo, hi) in bounds.items():
                inside &= (x[name].to_numpy() > lo) & (x[name].to_numpy() <= hi)
            n, hits = int(inside.sum()), int(y[inside].sum())
            leaves.append(Box(len(leaves), hits / total if total else 0.0,
                              hits / n if n else 0.0, n / len(y),
                              {k: Restriction(_plain(x[k][inside].min()),
                                              _plain(x[k][inside].max())) for k in bounds},
                              case=hits * 2 > n))
            return
        name = x.columns[t.feature[node]]
        cut = float(t.threshold[node])
        lo, hi = bounds.get(name, [-math.inf, math.inf])
        walk(t.children_left[node], {**bounds, name: [lo, min(hi, cut)]})
        walk(t.children_right[node], {**bounds, name: [max(lo, cut), hi]})

    walk(0, {})
    return tree, leaves


FEW_LEVELS = 6  # a factor with at most this many tested values is read by its values


def tree_nodes(tree: Any, x: Any, y: Any, experiments: Any) -> list[TreeNode]:
    """The tree's nodes in reading order (depth first, the lower side first), each with
    the condition that leads to it in words at the tested values (a split between 12
    and 24 seats reads "6 or 12" and "24", one between 0.325 and 0.334 reads "at most
    0.325" and "at least 0.334"), its points, its cases and whether it is a leaf."""
    import numpy as np

    t = tree.tree_
    labels = input_labels([str(c) for c in x.columns])
    member = tree.decision_path(x.to_numpy()).toarray().astype(bool)  # sample x node
    nodes: list[TreeNode] = []

    def walk(node: int, depth: int, condition: str, factor: str | None) -> None:
        inside = member[:, node]
        nodes.append(TreeNode(node=node, depth=depth, condition=condition, factor=factor,
                              points=int(inside.sum()),
                              cases=int(np.asarray(y)[inside].sum()),
                              leaf=bool(t.children_left[node] == -1)))
        if t.children_left[node] == -1:
            return
        name = str(x.columns[t.feature[node]])
        cut = float(t.threshold[node])
        values = x[name].to_numpy()[inside]
        below, above = values[values <= cut], values[values > cut]
        tested = sorted(set(x[name].to_numpy().tolist()))
        text = labels[name]
        if len(tested) <= FEW_LEVELS:
            def levels(vs: Any) -> str:
                return either([level_text(experiments[name], v) for v in sorted(set(vs))])

            low_text, high_text = f"{text} {levels(below)}", f"{text} {levels(above)}"
        else:
            low_text = f"{text} at most {level_text(experiments[name], below.max())}"
            high_text = f"{text} at least {level_text(experiments[name], above.min())}"
        walk(int(t.children_left[node]), depth + 1, low_text, name)
        walk(int(t.children_right[node]), depth + 1, high_text, name)

    walk(0, 0, "all design points", None)
    return nodes


def either(items: list[str]) -> str:
    """"6", "6 or 12", "6, 12 or 24"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def inside_text(column: Any, low: float, high: float) -> str:
    """The tested values of a factor (`column`, as the design wrote it) that a limit
    [low, high] keeps, in words: "6 or 12" for a factor of few levels, else "at most
    0.325", "at least 0.334" or "0.203 to 0.325" (the values actually run, not PRIM's
    midway limits)."""
    numbers = as_numbers(column.to_frame())[column.name].to_numpy()
    tested = sorted(set(numbers.tolist()))
    kept = [v for v in tested if low - 1e-12 <= v <= high + 1e-12]
    if not kept:
        return "none of the tested values"
    if len(tested) <= FEW_LEVELS:
        return either([level_text(column, v) for v in kept])
    if kept[0] == tested[0] and kept[-1] == tested[-1]:
        return "any tested value"
    if kept[0] == tested[0]:
        return f"at most {level_text(column, kept[-1])}"
    if kept[-1] == tested[-1]:
        return f"at least {level_text(column, kept[0])}"
    return f"{level_text(column, kept[0])} to {level_text(column, kept[-1])}"


def level_text(column: Any, v: float) -> str:
    """A tested value as the design wrote it: a discrete level by its name, a number to
    about three significant figures."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(column):
        levels = sorted(column.astype(str).unique())
        return levels[int(v)]
    return sig(float(v))


def tree_text(nodes: list[TreeNode]) -> str:
    """The tree as indented text: each node's condition, points and cases; leaves say
    whether most of their points are cases."""
    lines = []
    for n in nodes:
        share = n["cases"] / n["points"] if n["points"] else 0.0
        tail = ""
        if n["leaf"]:
            tail = "  -> mostly cases" if n["cases"] * 2 > n["points"] else "  -> few cases"
        lines.append(f"{'    ' * n['depth']}{n['condition']}: {n['points']} points, "
                     f"{n['cases']} case{'s' if n['cases'] != 1 else ''} ({share:.0%}){tail}")
    return "\n".join(lines)


def _leaf_trajectory(leaves: list[Box]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"coverage": b.coverage, "density": b.density, "mass": b.mass}
                         for b in leaves])


def _plain(v: Any) -> float:
    """numpy scalars as Python numbers (JSON): whole ones as int."""
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def _records(frame: Any) -> list[dict[str, float | None]]:
    return json.loads(frame.to_json(orient="records")) if frame is not None else []
