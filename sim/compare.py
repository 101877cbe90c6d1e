"""Comparison of scenarios or saved reports against the first (the baseline).

Both sides run here with the same seed and replication count pair up by replication
index (common random numbers): the CI is that of the per-replication differences.
Otherwise (saved reports of other seeds or counts) Welch's unpaired interval is used.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.metrics import HEADLINE, METRICS
from sim.report.atomic import atomic_dir
from sim.report.content import ci_text
from sim.report.document import Block, fmt, to_html, to_markdown
from sim.report.figures import forest_figure, overlay_figure
from sim.report.inputs import diff_inputs
from sim.stats import paired_difference, welch_difference

FORMAT = "kazsim-comparison/1"
NOT_INPUTS = ("name", "description", "extends", "sources")
OVERLAY = ["items_cleared_cum", "deployed", "officer_share", "trust", "strength.soldier",
           "cost_cum_usd"]


def _per_rep(report: dict[str, Any], metric: str) -> dict[int, float | None]:
    return {r["index"]: r["metrics"].get(metric) for r in report["replications"]
            if not r.get("error")}


def is_paired(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Common random numbers: same base seed and the same replication indices."""
    ia = sorted(r["index"] for r in a["replications"])
    ib = sorted(r["index"] for r in b["replications"])
    return a["run"]["seed"] == b["run"]["seed"] and ia == ib


def difference(base: dict[str, Any], other: dict[str, Any], metric: str, paired: bool
               ) -> dict[str, Any]:
    bm = base["metrics"].get(metric, {}).get("mean")
    om = other["metrics"].get(metric, {}).get("mean")
    pb, po = _per_rep(base, metric), _per_rep(other, metric)
    d = paired_difference(pb, po) if paired else welch_difference(list(pb.values()),
                                                                  list(po.values()))
    ci = d["diff_ci95"]
    return {"scenario": other["scenario"]["name"], "metric": metric, "baseline_mean": bm,
            "mean": om, "diff_mean": d["diff_mean"], "diff_ci95": ci,
            "relative": (d["diff_mean"] / bm) if bm and d["diff_mean"] is not None else None,
            "significant": bool(ci) and (ci[0] > 0 or ci[1] < 0), "paired": paired}


def horizon_warnings(reports: Sequence[dict[str, Any]]) -> list[str]:
    base = reports[0]["scenario"]["resolved"]
    out = []
    for r in reports[1:]:
        res = r["scenario"]["resolved"]
        if (res.get("start"), res.get("end")) != (base.get("start"), base.get("end")):
            out.append(f"'{r['scenario']['name']}' runs {res.get('start')} to {res.get('end')}, "
                       f"the baseline {base.get('start')} to {base.get('end')}: totals over "
                       "different horizons are not like for like")
    return out


def build_comparison(reports: Sequence[dict[str, Any]], files: Sequence[str]
                     ) -> dict[str, Any]:
    """comparison.json for `reports` (the first is the baseline)."""
    base = reports[0]
    differences, inputs, pairs = [], [], []
    strip = {k: None for k in NOT_INPUTS}
    for other in reports[1:]:
        paired = is_paired(base, other)
        pairs.append(paired)
        names = [m for m in base["metrics"] if m in other["metrics"]]
        differences += [difference(base, other, m, paired) for m in names]
        inputs += [{"scenario": other["scenario"]["name"], **d} for d in
                   diff_inputs({**base["scenario"]["resolved"], **strip},
                               {**other["scenario"]["resolved"], **strip})]
    return {
        "format": FORMAT,
        "baseline": base["scenario"]["name"],
        "paired": all(pairs),
        "method": ("paired differences per replication (common random numbers)" if all(pairs)
                   else "Welch's unpaired interval where seeds or replications differ "
                        "(see `paired` per difference)"),
        "scenarios": [{"name": r["scenario"]["name"], "file": f,
                       "replications": r["run"]["replications"], "seed": r["run"]["seed"],
                       "failed": len(r["run"].get("failed", []))}
                      for r, f in zip(reports, files)],
        "differences": differences,
        "inputs_diff": inputs,
        "warnings": horizon_warnings(reports),
    }


def headline_rows(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in comparison["differences"] if d["metric"] in HEADLINE]


def comparison_blocks(comparison: dict[str, Any], figures: list[tuple[str, str]]
                      ) -> list[Block]:
    blocks: list[Block] = [
        ("h1", f"kazsim comparison against {comparison['baseline']}"),
        ("p", f"Method: {comparison['method']}. Significant: the 95% CI of the difference "
              "excludes 0. Relative: difference over the baseline mean."),
        ("table", ["scenario", "file", "replications", "seed", "failed"],
         [[s["name"], s["file"], s["replications"], s["seed"], s["failed"]]
          for s in comparison["scenarios"]]),
    ]
    if comparison["warnings"]:
        blocks += [("h2", "Warnings"), ("ul", comparison["warnings"])]
    blocks += [("h2", "Headline differences"), ("table", DIFF_HEAD,
                                                [diff_row(d) for d in headline_rows(comparison)])]
    blocks += [("h2", "Inputs that differ"),
               ("table", ["scenario", "input", "baseline", "value"],
                [[i["scenario"], i["path"], _s(i["baseline"]), _s(i["value"])]
                 for i in comparison["inputs_diff"]]) if comparison["inputs_diff"]
               else ("p", "None: the scenarios have the same resolved inputs.")]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All differences"),
               ("table", DIFF_HEAD, [diff_row(d) for d in comparison["differences"]])]
    return blocks


DIFF_HEAD = ["scenario", "metric", "baseline", "mean", "difference", "95% CI", "relative",
             "significant"]


def diff_row(d: dict[str, Any]) -> list[str]:
    unit = METRICS[d["metric"]].unit if d["metric"] in METRICS else ""
    return [d["scenario"], f"{d['metric']} ({unit})" if unit else d["metric"],
            fmt(d["baseline_mean"]), fmt(d["mean"]), fmt(d["diff_mean"]),
            ci_text(d["diff_ci95"]),
            "—" if d["relative"] is None else f"{d['relative']:+.1%}",
            "yes" if d["significant"] else "no"]


def _s(v: Any, limit: int = 80) -> str:
    s = str(v)
    return s if len(s) <= limit else s[:limit] + "…"


def write_comparison(out: str | Path, comparison: dict[str, Any],
                     reports: Sequence[dict[str, Any]]) -> Path:
    """comparison.json, comparison.md, comparison.html and figures/, atomically."""
    from sim.report.json_report import dumps

    out = Path(out)
    with atomic_dir(out, "comparison.json") as tmp:
        (tmp / "comparison.json").write_text(dumps(comparison), encoding="utf-8")
        figdir = tmp / "figures"
        figdir.mkdir()
        figures = []
        entries = [(r["scenario"]["name"], r.get("series", {})) for r in reports]
        if overlay_figure(entries, OVERLAY, figdir / "series.png"):
            figures.append(("series.png", "Series of each scenario: mean lines, p10-p90 bands"))
        if forest_figure(headline_rows(comparison), figdir / "forest.png"):
            figures.append(("forest.png", "Relative differences from the baseline with 95% CIs"))
        blocks = comparison_blocks(comparison, figures)
        (tmp / "comparison.md").write_text(to_markdown(blocks), encoding="utf-8")
        title = f"kazsim comparison against {comparison['baseline']}"
        (tmp / "comparison.html").write_text(to_html(blocks, title, tmp), encoding="utf-8")
    return out
