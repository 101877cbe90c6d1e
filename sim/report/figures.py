"""PNG figures drawn from a report dict (so saved reports can be re-plotted).

matplotlib is imported inside the functions: `kazsim --help` must stay light.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.metrics import HEADLINE, METRICS

GRADES = ("officer", "nco", "soldier")
COLOURS = {"officer": "#1f4e79", "nco": "#c55a11", "soldier": "#548235"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _xy(s: dict[str, Any], key: str) -> tuple[list[dt.date], list[float]]:
    pts = [(dt.date.fromisoformat(d), v) for d, v in zip(s["dates"], s[key]) if v is not None]
    return [p[0] for p in pts], [float(p[1]) for p in pts]


def _has(series: dict[str, Any], name: str) -> bool:
    return name in series and any(v is not None for v in series[name]["mean"])


def _band(ax: Any, s: dict[str, Any], colour: str, label: str, style: str = "-") -> None:
    x, m = _xy(s, "mean")
    ax.plot(x, m, style, color=colour, label=label, lw=1.8)
    xb, lo = _xy(s, "p10")
    _, hi = _xy(s, "p90")
    if xb and len(lo) == len(hi):
        ax.fill_between(xb, lo, hi, color=colour, alpha=0.2, lw=0)


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    _plt().close(fig)


def _grid(n: int, cols: int, width: float, row_height: float) -> tuple[Any, list[Any]]:
    """A figure of `n` panels, `cols` a row; the panels beyond `n` are hidden."""
    rows = math.ceil(n / cols)
    fig, axes = _plt().subplots(rows, cols, figsize=(width, row_height * rows), squeeze=False)
    panels = list(axes.flat)
    for ax in panels[n:]:
        ax.axis("off")
    return fig, panels[:n]


def _finish(fig: Any, ax: Any, path: Path, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")
    fig.autofmt_xdate()
    _save(fig, path)


def report_figures(report: dict[str, Any], out: Path) -> list[tuple[str, str]]:
    """Draw the run figures into `out`; return (file name, caption) of each drawn."""
    plt = _plt()
    out.mkdir(parents=True, exist_ok=True)
    series = report.get("series", {})
    drawn: list[tuple[str, str]] = []
    band = "mean, band p10-p90 over replications"

    if any(_has(series, f"strength.{g}") for g in GRADES):
        fig, ax = plt.subplots(figsize=(8, 4.2))
        for g in GRADES:
            if _has(series, f"strength.{g}"):
                _band(ax, series[f"strength.{g}"], COLOURS[g], g)
            if _has(series, f"establishment.{g}"):
                x, m = _xy(series[f"establishment.{g}"], "mean")
                ax.plot(x, m, "--", color=COLOURS[g], lw=1, label=f"{g} establishment")
        _finish(fig, ax, out / "strength.png", "Strength by grade", "persons")
        drawn.append(("strength.png", f"Strength by grade ({band}); dashed: establishment"))

    if _has(series, "officer_share"):
        fig, ax = plt.subplots(figsize=(8, 4.2))
        _band(ax, series["officer_share"], COLOURS["officer"], "officer share")
        target = ((report.get("scenario", {}).get("resolved") or {}).get("restructure") or {}
                  ).get("target_officer_share")
        cap = f"Officer share of strength ({band})"
        if target is not None:
            ax.axhline(target, color="red", ls="--", lw=1.2, label=f"target {target:g}")
            cap += f"; red dashed: restructuring target {target:g}"
        ax.set_ylim(bottom=0)  # a share: keep small wobbles from looking like trends
        _finish(fig, ax, out / "officer_share.png", "Officer share", "share")
        drawn.append(("officer_share.png", cap))

    if _has(series, "deployed"):
        fig, ax = plt.subplots(figsize=(8, 4.2))
        _band(ax, series["deployed"], "#1f4e79", "deployed")
        if _has(series, "required"):
            x, m = _xy(series["required"], "mean")
            ax.plot(x, m, color="black", ls="--", lw=1.2, label="required")
        _finish(fig, ax, out / "deployed.png", "Deployed strength against required",
                "persons")
        drawn.append(("deployed.png", f"Persons deployed ({band}); dashed: contingent required"))

    single = [("items_cleared_cum", "items_cleared.png", "Cumulative items cleared", "items"),
              ("trust", "trust.png", "Local trust in the contingent", "trust (0-1)"),
              ("interoperability", "interoperability.png",
               "Share meeting NATO interoperability criteria", "share"),
              ("cost_cum_usd", "cost.png", "Cumulative cost", "USD")]
    for name, file, title, unit in single:
        if _has(series, name):
            fig, ax = plt.subplots(figsize=(8, 4.2))
            _band(ax, series[name], "#7030a0", name)
            if unit != "USD":
                ax.set_ylim(bottom=0)
            _finish(fig, ax, out / file, title, unit)
            drawn.append((file, f"{title} ({band})"))

    if _histograms(report, out / "histograms.png"):
        drawn.append(("histograms.png", "Distributions of the headline metrics over replications"))
    return drawn


def _histograms(report: dict[str, Any], path: Path) -> bool:
    reps = [r for r in report.get("replications", []) if not r.get("error")]
    data = []
    for name in HEADLINE:
        vals = [r["metrics"].get(name) for r in reps]
        vals = [float(v) for v in vals if v is not None and math.isfinite(float(v))]
        if vals:
            data.append((name, vals))
    if not data:
        return False
    fig, panels = _grid(len(data), 3, 10, 2.4)
    for ax, (name, vals) in zip(panels, data):
        ax.hist(vals, bins=min(20, max(5, len(vals) // 2)), color="#1f4e79", alpha=0.8)
        ax.set_title(f"{name} ({METRICS[name].unit})", fontsize=9)
        ax.tick_params(labelsize=7)
    _save(fig, path)
    return True


def overlay_figure(entries: Sequence[tuple[str, dict[str, Any]]], names: Sequence[str],
                   path: Path) -> bool:
    """Mean lines with p10-p90 bands of `names` series, one colour per scenario."""
    names = [n for n in names if any(_has(s, n) for _, s in entries)]
    if not names:
        return False
    fig, panels = _grid(len(names), 2, 11, 3.2)
    palette = _plt().rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, name in zip(panels, names):
        for k, (label, series) in enumerate(entries):
            if _has(series, name):
                _band(ax, series[name], palette[k % len(palette)], label,
                      ("-", "--", ":", "-.")[k % 4])
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
    panels[0].legend(fontsize=7)
    _save(fig, path)
    return True


def forest_figure(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    """Relative differences (diff / |baseline mean|) with their 95% CIs, one line each."""
    rows = [r for r in rows if r.get("relative") is not None and r.get("diff_ci95")
            and r.get("baseline_mean")]
    if not rows:
        return False
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    for y, r in enumerate(reversed(rows)):
        scale = abs(r["baseline_mean"])
        lo, hi = (v / scale * 100 for v in r["diff_ci95"])
        colour = "#c00000" if r["significant"] else "#7f7f7f"
        ax.plot([lo, hi], [y, y], color=colour, lw=2)
        ax.plot(r["relative"] * 100, y, "o", color=colour)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['scenario']}: {r['metric']}" for r in reversed(rows)], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("difference from baseline, % of baseline mean (95% CI)")
    ax.set_title("Differences from the baseline (red: CI excludes 0)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path)
    return True
