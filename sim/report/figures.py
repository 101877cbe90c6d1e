"""Which figures a report holds, as plain-data jobs for `sim.report.render`.

Titles, axis labels and units come from the metric and series catalogue
(`sim.core.metrics`), so figures say "Items cleared (cumulative)" and "persons", never an
internal name. Nothing here imports matplotlib.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label, metric_info, series_info, unit
from sim.core.uncertainty import share_floor
from sim.report.model import Report, SeriesSummary
from sim.report.render import FigureJob

GRADES = ("officer", "nco", "soldier")
COLOURS = {"officer": "#1f4e79", "nco": "#c55a11", "soldier": "#548235"}
PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c"]
BAND = "mean; band: 10th to 90th percentile over replications"
BAND_DRAWS = "mean; band: 10th to 90th percentile over every run of every draw"


def _has(series: dict[str, SeriesSummary], name: str) -> bool:
    return name in series and any(v is not None for v in series[name].mean)


def _line(s: SeriesSummary, label_: str, colour: str, band: bool = True, **extra: Any
          ) -> dict[str, Any]:
    line = {"label": label_, "dates": s.dates, "mean": s.mean, "colour": colour, **extra}
    if band and s.p10 and s.p90:
        line |= {"lo": s.p10, "hi": s.p90}
    return line


def _series_unit(name: str, s: SeriesSummary | None = None) -> str:
    return (s.unit if s is not None and s.unit else "") or unit(name)


def report_figures(report: Report) -> list[FigureJob]:
    """The figure jobs of a run report; a figure whose series are absent is left out."""
    series = report.series
    band = BAND_DRAWS if report.draws else BAND
    jobs: list[FigureJob] = []
    if any(_has(series, f"strength.{g}") for g in GRADES):
        lines = []
        for g in GRADES:
            if _has(series, f"strength.{g}"):
                lines.append(_line(series[f"strength.{g}"], label(f"strength.{g}"),
                                   COLOURS[g]))
            if _has(series, f"establishment.{g}"):
                lines.append(_line(series[f"establishment.{g}"], label(f"establishment.{g}"),
                                   COLOURS[g], band=False, style="--", width=1.0))
        jobs.append(_single("strength", "Strength by grade against establishment", "persons",
                            lines, f"Strength by grade ({band}); dashed: establishment (posts)",
                            zero=True))
    if _has(series, "officer_share"):
        target = (report.scenario.resolved.get("restructure") or {}).get("target_officer_share")
        hlines = [] if target is None else [
            {"y": target, "label": f"restructuring target {target:.0%}", "colour": "#c00000"}]
        caption = f"Officer share of strength ({band})"
        if target is not None:
            caption += f"; red dashed: the restructuring target, {target:.0%}"
        jobs.append(_single("officer_share", label("officer_share"), "share",
                            [_line(series["officer_share"], label("officer_share"),
                                   COLOURS["officer"])], caption, zero=True, hlines=hlines))
    jobs += _supply(report)
    if _has(series, "deployed"):
        jobs.append(_deployed(series, band))
    singles = [("items_cleared_cum", "items_cleared"), ("ordnance_remaining", "ordnance"),
               ("trust", "trust"), ("interoperability", "interoperability"),
               ("cost_cum_usd", "cost")]
    for name, file in singles:
        if _has(series, name):
            s = series[name]
            jobs.append(_single(file, s.label or label(name), _series_unit(name, s),
                                [_line(s, s.label or label(name), "#7030a0")],
                                f"{s.label or label(name)} ({band})", zero=True))
    queues = [n for n in series if n.startswith("course_queue.") and _has(series, n)]
    if queues:
        panels = [{"title": series[n].label or label(n), "unit": _series_unit(n, series[n]),
                   "zero": True, "lines": [_line(series[n], "waiting", PALETTE[k % 7])]}
                  for k, n in enumerate(queues)]
        jobs.append(FigureJob("course_queues", f"Candidates waiting for each course ({band})",
                              "panels", {"panels": panels, "cols": 2, "width": 10.5,
                                         "row_height": 2.8, "legend": "first",
                                         "title": "Course queues"}))
    histograms = _histograms(report)
    if histograms:
        jobs.append(histograms)
    drivers = drivers_figure(report)
    if drivers:
        jobs.append(drivers)
    return jobs


REST = "smaller shares, interactions and estimation error"


def drivers_figure(report: Report) -> FigureJob | None:
    """What the headline metrics rest on: one bar per metric, cut into the shares of
    its variance that each assumption explains alone and `noise` (the dice); the rest
    of the bar is interactions, estimation error and the assumptions whose shares the
    draws cannot tell from none (a scenario declares dozens: their small, noisy
    estimates would otherwise fill the bars). Shares summing over 1 (estimation error)
    are scaled down to fit the bar, and the caption says so."""
    u = report.uncertainty
    if u is None:
        return None
    short = u.short_names()
    floor = math.ceil(share_floor(u.draws) * 100) / 100  # a whole percentage, as the caption says it
    order = {a.path: k for k, a in enumerate(u.assumptions)}  # the same place in every bar
    rows, scaled, shown = [], False, set()
    for name in HEADLINE:
        m = report.metrics.get(name)
        drivers = [d for d in (m.drivers or []) if d.share > 0] if m else []
        if not drivers:
            continue
        drivers = [d for d in drivers if d.assumption == "noise" or d.share >= floor]
        total = sum(d.share for d in drivers)
        scaled = scaled or total > 1
        drivers.sort(key=lambda d: order.get(d.assumption, len(order)))
        shown |= {d.assumption for d in drivers}
        segments = [{"name": short.get(d.assumption, d.assumption),
                     "share": d.share / max(total, 1.0)} for d in drivers]
        if total < 1:
            segments.append({"name": REST, "share": 1 - total})
        rows.append({"label": label(name), "segments": segments})
    if not rows:
        return None
    names = [short[a.path] for a in u.assumptions if a.path in shown] + ["noise", REST]
    caption = ("What the headline metrics rest on: the share of each metric's variance "
               "over the draws that each assumption explains alone, and noise (the "
               f"variance between replications of one draw); {u.draws} draws x "
               f"{u.replications_per_draw} replications. Shares under {floor:.0%}, which "
               f"{u.draws} draws cannot tell from none, are left in the white rest")
    if scaled:
        caption += ("; where the estimated shares summed over 100% (estimation error), "
                    "the bar shows them scaled to 100%")
    return FigureJob("drivers", caption, "drivers",
                     {"rows": rows, "names": names, "rest": REST,
                      "title": "What each answer rests on"})


def _supply(report: Report) -> list[FigureJob]:
    """Establishment fill of a force that grows or has a supply pipeline, against the
    fill that full operational capability asks; the personnel budget's use."""
    series, resolved = report.series, report.scenario.resolved
    band = BAND_DRAWS if report.draws else BAND
    force = resolved.get("force") or {}
    recruiting = force.get("recruiting") or {}
    grows = bool(resolved.get("growth")) or any(
        recruiting.get(k) is not None for k in ("applicants_per_month", "market", "basic_training"))
    jobs = []
    if _has(series, "establishment_fill") and (grows or force.get("budget")):
        fill = (force.get("foc") or {}).get("fill")
        hlines = [] if fill is None else [
            {"y": fill, "label": f"full operational capability {fill:.0%}", "colour": "#c00000"}]
        s = series["establishment_fill"]
        jobs.append(_single("establishment_fill", label("establishment_fill"), "share",
                            [_line(s, label("establishment_fill"), "#548235")],
                            f"Strength over establishment, all grades ({band})"
                            + ("; red dashed: the fill full operational capability asks in "
                               "every grade" if hlines else ""), zero=True, hlines=hlines))
    if _has(series, "budget_used_share"):
        s = series["budget_used_share"]
        jobs.append(_single("budget_used", label("budget_used_share"), "share",
                            [_line(s, label("budget_used_share"), "#bf9000")],
                            f"The calendar year's projected personnel spend over its budget "
                            f"({band}); at 1 no new intake starts", zero=True,
                            hlines=[{"y": 1.0, "label": "the year's budget", "colour": "#c00000"}]))
    return jobs


def _single(file: str, title: str, unit_: str, lines: list[dict[str, Any]], caption: str,
            zero: bool = False, hlines: list[dict[str, Any]] | None = None) -> FigureJob:
    panel = {"title": title, "unit": unit_, "zero": zero and unit_ not in ("USD",),
             "lines": lines, "hlines": hlines or []}
    return FigureJob(file, caption, "panels", {"panels": [panel], "width": 8.0,
                                              "row_height": 3.9})


def _deployed(series: dict[str, SeriesSummary], band: str = BAND) -> FigureJob:
    """People in theatre. With `deployed.min`/`deployed.max` (the fewest and most at any
    moment since the previous date) the band spans them, so every handover's overlap
    and every gap shows, not only those that fall on a sampling date."""
    lines: list[dict[str, Any]] = []
    if _has(series, "deployed.max") and _has(series, "deployed.min"):
        lo, hi = series["deployed.min"], series["deployed.max"]
        lines.append({"label": "most in theatre in the month", "dates": hi.dates,
                      "mean": hi.mean, "colour": "#2e75b6", "step": True, "width": 1.0})
        lines.append({"label": "fewest in theatre in the month", "dates": lo.dates,
                      "mean": lo.mean, "colour": "#843c0c", "step": True, "width": 1.0,
                      "style": ":"})
        caption = ("People deployed: the most and the fewest in theatre at any moment of "
                   "each month (means over the runs; peaks are handovers, where the "
                   "outgoing and incoming contingents overlap; dips are gaps); dashed: "
                   "the contingent required")
    else:
        lines.append(_line(series["deployed"], "in theatre on the date", "#1f4e79"))
        caption = (f"People deployed on each date ({band}); dashed: the contingent "
                   "required")
    if _has(series, "required"):
        lines.append(_line(series["required"], "required", "black", band=False, style="--",
                           width=1.2, step=True))
    return _single("deployed", "People deployed against the contingent required", "persons",
                   lines, caption, zero=True)


def _histograms(report: Report) -> FigureJob | None:
    """Distributions of the headline metrics that vary (a single value, or values equal
    but for rounding, has no distribution to show: the tables give it)."""
    reps = report.summarised()
    panels = []
    for name in HEADLINE:
        vals = [v for r in reps if (v := r.metrics.get(name)) is not None and math.isfinite(v)]
        if len(vals) > 1 and max(vals) - min(vals) > 1e-9 * max(abs(max(vals)), abs(min(vals))):
            info = metric_info(name)
            panels.append({"title": label(name), "unit": info.unit if info else "",
                           "values": vals})
    if not panels:
        return None
    runs = "every run of every draw" if report.draws else "replications"
    return FigureJob("histograms", f"Distributions over {runs} of the headline metrics "
                     "that vary: runs per bin", "histograms", {"panels": panels})


# -- comparisons -----------------------------------------------------------------------

OVERLAY = ["items_cleared_cum", "deployed", "officer_share", "trust", "strength.soldier",
           "cost_cum_usd"]
STYLES = ("-", "--", ":", "-.")


def overlay_figure(entries: Sequence[tuple[str, dict[str, SeriesSummary]]],
                   names: Sequence[str] = OVERLAY, band: str = BAND) -> FigureJob | None:
    """Mean lines with bands of `names`, one colour and dash style per scenario. People
    deployed are drawn as the most in theatre in each interval, so that every handover
    shows (reports written before that series existed fall back to the dated value)."""
    if any(_has(s, "deployed.max") for _, s in entries):
        names = ["deployed.max" if n == "deployed" else n for n in names]
    names = [n for n in names if any(_has(s, n) for _, s in entries)]
    if not names:
        return None
    panels = []
    for name in names:
        lines = [_line(series[name], scenario, PALETTE[k % len(PALETTE)],
                       style=STYLES[k % len(STYLES)])
                 for k, (scenario, series) in enumerate(entries) if _has(series, name)]
        info = series_info(name)
        panels.append({"title": info.label if info else name,
                       "unit": info.unit if info else "", "lines": lines,
                       "zero": info is not None and info.unit != "USD"})
    return FigureJob("series", f"Series of each scenario ({band}; one colour and dash "
                     "style per scenario)", "panels",
                     {"panels": panels, "cols": 2, "width": 11.0, "row_height": 3.0,
                      "legend": "first", "title": "Scenarios over time"})


RELATIVE_AXIS = "change from the baseline mean, % (95% CI)"


def forest_figure(rows: Sequence[dict[str, Any]], several: bool) -> FigureJob | None:
    """Changes from the baseline with their 95% CIs: in % of the baseline mean where a
    relative change means something, else (a rare count, a baseline of 0) in the
    metric's own unit on a panel of its own. Colour and marker both say better, worse,
    changed or unsure. `rows` are comparison differences (dicts)."""
    data = []
    for r in rows:
        name = r.get("label") or label(r["metric"])
        shown = f"{r['scenario']}: {name}" if several else name
        lo, hi = r["diff_ci95"]
        verdict = r["verdict"] or "unsure"
        if verdict.startswith("depends on"):
            verdict = "depends"
        elif verdict not in ("better", "worse", "changed"):
            verdict = "unsure"  # "no clear difference" with draws
        if r.get("relative") is not None and r.get("relative_shown", True) and r["baseline_mean"]:
            scale = abs(r["baseline_mean"]) / 100
            data.append({"label": shown, "value": r["relative"] * 100, "lo": lo / scale,
                         "hi": hi / scale, "verdict": verdict, "axis": RELATIVE_AXIS})
        else:
            unit_ = r.get("unit") or unit(r["metric"])
            scale = 100.0 if unit_ == "share" else 1.0
            data.append({"label": shown, "value": r["diff_mean"] * scale, "lo": lo * scale,
                         "hi": hi * scale, "verdict": verdict,
                         "axis": ("change in percentage points (95% CI)" if unit_ == "share"
                                  else f"change in {unit_ or 'value'} (95% CI)")})
    if not data:
        return None
    return FigureJob("forest", "Change from the baseline with 95% CIs: every headline metric "
                     "and every other significant difference. In % of the baseline mean; "
                     "rare counts and changes from 0 in their own unit, on a panel of their "
                     "own. Up triangle (green): better; down triangle (red): worse; diamond "
                     "(blue): a significant change that is neither; square (amber): "
                     "significant but not in 90% of the draws of the assumptions; open circle "
                     "(grey): the CI includes 0", "forest",
                     {"rows": data, "title": "Differences from the baseline"})
