"""The hindcast report: hindcast.json, hindcast.md and hindcast.html, and a figure of
each observed metric over time (the runs' median and 90% band) with the record on it."""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from sim.report import annex
from sim.report.atomic import atomic_dir
from sim.report.document import Block, fmt, to_html, to_markdown

FIGURE = "figures/observations"


def bound_text(record: dict[str, Any], unit: str = "") -> str:
    """An observation's bound in words: "at least 3,000,000", "572 ± 6", "40.0% ± 2.0%"."""
    def show(v: float) -> str:
        return f"{v * 100:.1f}%" if unit == "share" else fmt(v)
    if "equals" in record:
        tol = record.get("tolerance") or 0
        return show(record["equals"]) + (f" ± {show(tol)}" if tol else "")
    if "between" in record:
        low, high = record["between"]
        return f"{show(low)} to {show(high)}"
    key = next(iter(record))
    return f"{key.replace('_', ' ')} {show(record[key])}"


def _value(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.1f}%" if unit == "share" else fmt(v, 3)


def findings(data: dict[str, Any]) -> str:
    s = data["summary"]
    parts = []
    for use in ("calibration", "validation"):
        n, k = s[use]["observations"], s[use]["inside"]
        if n:
            parts.append(f"{k} of {n} {use} observation{'s' if n != 1 else ''} "
                         f"lie{'s' if n == 1 else ''} inside the model's 90% prediction interval")
    outside = [o for o in data["observations"] if not o["inside"]]
    text = "; ".join(parts) + "."
    if outside:
        text += " Outside: " + "; ".join(
            f"{o['label']} by {o['read_at']} (record {bound_text(o['record'], o['unit'])}, model "
            f"{_value(o['prediction']['p05'], o['unit'])} to {_value(o['prediction']['p95'], o['unit'])})"
            for o in outside) + "."
    runs = data["run"]["replications"]
    return (f"{data['scenario']['name']} set against {len(data['records'])} record file"
            f"{'s' if len(data['records']) != 1 else ''} over {runs} runs: {text} "
            "A hindcast is a measurement: an observation outside the interval is a finding "
            "about the model or the record, not a failure of the run.")


def table(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = ["metric", "by", "use", "record", "model median", "model 90% interval",
            "runs consistent", "inside"]
    rows = []
    for o in data["observations"]:
        p, u = o["prediction"], o["unit"]
        share = o["share_consistent"]
        rows.append([o["label"], o["read_at"] + ("" if o["by"] else " (end)"), o["use"],
                     bound_text(o["record"], u), _value(p["p50"], u),
                     f"{_value(p['p05'], u)} to {_value(p['p95'], u)}",
                     "—" if share is None else f"{share:.0%}", "yes" if o["inside"] else "NO"])
    return head, rows


def checklist(data: dict[str, Any]) -> list[list[str]]:
    """The reporting checklist (after STRESS-DES, Monks et al. 2018), filled from the run;
    what only the analyst can write is marked so (`sim.report.annex`)."""
    n = len(data["observations"])
    return annex.checklist(
        data["scenario"], data["run"],
        outputs=f"{n} observation{'s' if n != 1 else ''}, each with the model's 90% "
                "prediction interval, median and share of runs consistent with it",
        aims=f"{data['scenario']['name']} set against the record"
             f"{'s' if len(data['records']) != 1 else ''} "
             + ", ".join(r["name"] for r in data["records"]),
        data="records: " + ", ".join(f"{r['name']} ({r['file']})" for r in data["records"]),
        estimation="percentiles over the runs of each metric read by its date (the 90% "
                   "prediction interval: 5th to 95th), the share of runs consistent with "
                   "the record")


def blocks(data: dict[str, Any], figure: bool) -> list[Block]:
    run = data["run"]
    out: list[Block] = [("h1", f"Hindcast: {data['scenario']['name']}"),
                        ("h2", "Findings"), ("p", findings(data))]
    head, rows = table(data)
    out += [("h2", "Observations against the model"), ("table", head, rows,
             "Model: percentiles over the runs of the metric read by the date (a count "
             "accumulated to it, a state on it). Inside: the record overlaps the 90% interval.")]
    if figure:
        out.append(("img", f"{FIGURE}.png", "Each observed metric over time: the runs' median "
                    "(line) and 90% band, the record at its date (red; an arrow for at least or "
                    "at most)"))
    out.append(("h2", "Sources of the observations"))
    out.append(("ul", [f"{o['label']} ({o['use']}): {o['source']} [{o['record_file']}:{o['line']}]"
                       for o in data["observations"]]))
    out += [("h2", "How this was made"),
            ("p", f"Command: {run['command'] or '—'}. Seed {run['seed']}, {run['replications']} "
                  f"replications, scenario {data['scenario']['file']} (sha256 "
                  f"{data['scenario']['sha256'][:12]}), kazsim {run['version']}, commit "
                  f"{run['commit'] or 'unknown'}, started {run['started']}.")]
    if run["overrides"]:
        out.append(("p", "Overrides: " + ", ".join(run["overrides"])))
    if run["failed"]:
        out.append(("p", f"{len(run['failed'])} replications failed inside the model and are "
                         "left out: " + ", ".join(str(f['index']) for f in run["failed"])))
    return out + annex.annex_blocks(checklist(data))


def write_report(data: dict[str, Any], out: str | Path) -> Path:
    from sim.report.draw import save  # matplotlib: imported only where figures are drawn

    target = Path(out)
    with atomic_dir(target, "hindcast.json") as tmp:
        (tmp / "hindcast.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
        figure = bool(data["observations"])
        if figure:
            (tmp / "figures").mkdir()
            save(draw_observations(data), tmp / FIGURE)
        content = blocks(data, figure)
        (tmp / "hindcast.md").write_text(to_markdown(content))
        (tmp / "hindcast.html").write_text(to_html(content, f"Hindcast: {data['scenario']['name']}", tmp))
    return target


RECORD = "#c62828"
MODEL = "#1f4e79"


def draw_observations(data: dict[str, Any]) -> Any:
    """One panel per observation: the metric read across the run (median, 90% band) and
    the record at its date."""
    # matplotlib: imported only where figures are drawn
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from sim.report.draw import compact

    obs = data["observations"]
    cols = 2 if len(obs) > 1 else 1
    rows = math.ceil(len(obs) / cols)
    width, height = 10.0 if cols == 2 else 6.5, 3.1 * rows + 0.9
    fig = Figure(figsize=(width, height))
    axes = list(fig.subplots(rows, cols, squeeze=False).flat)
    fig.subplots_adjust(left=0.09 if cols == 2 else 0.13, right=0.98, top=1 - 0.85 / height,
                        bottom=0.45 / height, hspace=0.6, wspace=0.28)
    for ax, o in zip(axes, obs):
        t = o["over_time"]
        x = np.array([dt.date.fromisoformat(d) for d in t["dates"]], dtype="datetime64[D]")
        col = {k: np.array([math.nan if v is None else v for v in t[k]], float)
               for k in ("p05", "p50", "p95")}
        ax.fill_between(x, col["p05"], col["p95"], color=MODEL, alpha=0.18, lw=0, label="model, 90% of runs")
        ax.plot(x, col["p50"], color=MODEL, lw=1.8, label="model, median")
        _record(ax, o)
        unit = o["unit"]
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos, u=unit: compact(v, u)))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_title(f"{o['label']} ({o['use']})", fontsize=9.5)
        ax.set_ylabel(unit if unit not in ("share",) else "share", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax in axes[len(obs):]:
        ax.set_visible(False)
    fig.suptitle(f"{data['scenario']['name']}: the model against the record", fontsize=11,
                 fontweight="bold", y=1 - 0.3 / height)
    return fig


def _record(ax: Any, o: dict[str, Any]) -> None:
    """The observation at its date: a bar for an interval, a marker and an arrow for
    `at least` (up) or `at most` (down), labelled with the bound."""
    x = np.datetime64(o["read_at"], "D")
    r, text = o["record"], f"record: {bound_text(o['record'], o['unit'])}"
    if "at_least" in r or "at_most" in r:
        up = "at_least" in r
        v = r["at_least"] if up else r["at_most"]
        ax.plot([x], [v], marker="^" if up else "v", color=RECORD, ms=9, ls="none", label=text)
        ax.annotate("", xy=(x, v), xytext=(0, 26 if up else -26), textcoords="offset points",
                    arrowprops={"arrowstyle": "<-", "color": RECORD, "lw": 1.6})
        ax.axhline(v, color=RECORD, lw=0.8, ls=":")
        return
    if "between" in r:
        low, high = r["between"]
    else:
        low, high = r["equals"] - (r.get("tolerance") or 0), r["equals"] + (r.get("tolerance") or 0)
    mid = (low + high) / 2
    ax.errorbar([x], [mid], yerr=[[mid - low], [high - mid]], fmt="D", color=RECORD, ms=6,
                capsize=5, lw=1.8, label=text)
