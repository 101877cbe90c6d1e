"""Drawing figures from plain figure specifications (see `sim.report.figures`).

Each `draw_*` takes a spec of plain data and returns a matplotlib `Figure` (the
object-oriented API, no pyplot state machine); `save` writes it as PNG and SVG. This
module imports matplotlib at once, so only the processes that draw import it.
"""
from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, MaxNLocator

from sim.report.png import write_png

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text in SVG: smaller, faster, editable
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
})

DPI = 150
PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c"]
BETTER, WORSE, NEUTRAL, UNSURE = "#2e7d32", "#c62828", "#1f4e79", "#9e9e9e"
DEPENDS = "#bf9000"


SOFTWARE = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"


def save(fig: Figure, stem: Path) -> None:
    """`stem`.png at DPI and `stem`.svg beside it. The PNG is Agg's own drawing at DPI
    (as `savefig` draws it), encoded by `sim.report.png`: Pillow's encoder cost twice as
    much."""
    canvas = FigureCanvasAgg(fig)
    screen = fig.dpi
    fig.dpi = DPI
    try:
        canvas.draw()
        write_png(stem.with_suffix(".png"), canvas.buffer_rgba(), DPI, SOFTWARE)
    finally:
        fig.dpi = screen
    fig.savefig(stem.with_suffix(".svg"))


def subplots(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure of one panel, for the few figures drawn in the calling process."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)  # a renderer for what measures text (scikit-learn's plot_tree)
    return fig, fig.add_subplot()


def _plain(x: float, decimals: int) -> str:
    """`x` with `decimals` decimals and thousands separators, trailing zeros dropped."""
    text = f"{x:,.{max(0, decimals)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _sig_decimals(x: float, digits: int) -> int:
    """Decimals that show `x` to `digits` significant figures."""
    return 0 if x == 0 else max(0, digits - 1 - math.floor(math.log10(abs(x))))


def _scale(top: float, unit: str) -> tuple[float, str]:
    """The divisor and suffix of numbers up to `top`: 1e6 and "M" for millions."""
    if unit == "share":
        return 0.01, "%"
    return ((1e9, "B") if top >= 1e9 else (1e6, "M") if top >= 1e6
            else (1e3, "k") if top >= 1e4 else (1.0, ""))


def _dress(text: str, suffix: str, unit: str) -> str:
    if text != "0" or unit == "share":  # zero is 0 in any scale ("0", not "0M")
        text += suffix
    if unit == "USD":
        return "-$" + text[1:] if text.startswith("-") else "$" + text
    return text


def compact(v: float, unit: str = "", digits: int = 3) -> str:
    """A number in a figure: 1.5M, 350k, 12, 0.25; shares as percentages; dollars with
    $. `digits`: significant digits of the scaled number. Never scientific notation."""
    factor, suffix = _scale(abs(v), unit)
    x = v / factor
    if unit == "share":
        return _dress(_plain(x, max(0, digits - 2)), suffix, unit)
    return _dress(_plain(x, _sig_decimals(x, digits)), suffix, unit)


class TickFormatter(Formatter):
    """Tick labels of one axis in one scale (0, 0.6M, 1.2M; not 600k beside 1.2M), with
    the fewest decimals that tell every tick apart exactly ($3.035M, not $3.04M twice)."""

    def __init__(self, unit: str = ""):
        self.unit = unit
        self.factor, self.suffix, self.decimals = 1.0, "", 0
        self.ready = False

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        finite = [float(v) for v in locs if math.isfinite(v)]
        self.ready = bool(finite)
        if not finite:
            return
        self.factor, self.suffix = _scale(max(abs(v) for v in finite), self.unit)
        scaled = [v / self.factor for v in finite]
        self.decimals = next((d for d in range(9) if all(
            abs(x - round(x, d)) <= 1e-6 * max(1.0, abs(x)) for x in scaled)), 8)

    def __call__(self, v: float, pos: Any = None) -> str:
        if not self.ready:
            return compact(v, self.unit)
        return _dress(_plain(v / self.factor, self.decimals), self.suffix, self.unit)


def _axis_label(unit: str) -> str:
    return {"share": "share", "USD": "US dollars", "index 0-1": "index (0 to 1)"}.get(unit, unit)


def _format_y(ax: Any, unit: str) -> None:
    ax.yaxis.set_major_formatter(TickFormatter(unit))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.set_ylabel(_axis_label(unit))


def _format_dates(ax: Any) -> None:
    """Date ticks chosen once, for the final x range (call after the last line is
    plotted): a date locator walks calendar rules each time an axis is measured, and a
    figure is measured several times in each of its two formats."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    locator.set_axis(ax.xaxis)
    ax.xaxis.set_major_locator(FixedLocator(locator()))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _dates(texts: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in texts]


def _arrays(dates: list[dt.date], *columns: list[float | None]) -> tuple[Any, ...]:
    """Dates and columns as arrays, NaN where a value is missing (a gap in the line)."""
    return (np.array(dates, dtype="datetime64[D]"),
            *(np.array([math.nan if v is None else v for v in c], dtype=float)
              for c in columns))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _grid(n: int, cols: int, width: float, row_height: float, top: float = 0.5
          ) -> tuple[Figure, list[Any]]:
    """A figure of `n` panels, `cols` a row, with fixed margins (no layout engine: a
    fixed layout costs nothing to compute)."""
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    height = row_height * rows + top
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(rows, cols, squeeze=False)
    fig.subplots_adjust(left=0.8 / width if cols == 1 else 0.7 / width, right=1 - 0.25 / width,
                        top=1 - top / height, bottom=0.55 / height,
                        hspace=0.75 * 2.6 / row_height, wspace=0.35)
    panels = list(axes.flat)
    for ax in panels[n:]:
        ax.set_visible(False)
    return fig, panels[:n]


# -- time series -------------------------------------------------------------------

def draw_panels(spec: dict[str, Any]) -> Figure:
    """Panels of time series. spec: title?, cols, width, row_height, legend ("each" or
    "first"), panels: [{title, unit, zero, lines: [{label, dates, mean, lo?, hi?, colour,
    style, step?, width?}], hlines: [{y, label, colour}]}]."""
    panels = spec["panels"]
    title = spec.get("title")
    fig, axes = _grid(len(panels), spec.get("cols", 1), spec.get("width", 8.0),
                      spec.get("row_height", 3.6), top=0.75 if title else 0.45)
    if title:
        fig.suptitle(title, fontsize=11, fontweight="bold")
    for k, (ax, panel) in enumerate(zip(axes, panels)):
        highest = -math.inf
        for line in panel["lines"]:
            x, m, lo, hi = _arrays(_dates(line["dates"]), line["mean"],
                                   line.get("lo") or [None] * len(line["mean"]),
                                   line.get("hi") or [None] * len(line["mean"]))
            step = "steps-pre" if line.get("step") else "default"
            ax.plot(x, m, line.get("style", "-"), color=line["colour"], label=line["label"],
                    lw=line.get("width", 1.8), drawstyle=step)
            if line.get("lo") and not np.isnan(lo).all():
                ax.fill_between(x, lo, hi, color=line["colour"], alpha=line.get("alpha", 0.18),
                                lw=0, step="pre" if line.get("step") else None,
                                label=line.get("band_label"))
            highest = max(highest, float(np.nanmax(np.concatenate([m, hi]))) if not (
                np.isnan(m).all() and np.isnan(hi).all()) else -math.inf)
        for h in panel.get("hlines", []):
            ax.axhline(h["y"], color=h.get("colour", "#c00000"), ls="--", lw=1.2,
                       label=h["label"])
            highest = max(highest, float(h["y"]))
        # y given: no automatic title placement, which measures every tick label again
        # on each draw to find what could overlap the title (nothing here: x ticks
        # below, no offset text), a sixth of a panel's drawing time
        ax.set_title(_wrap(panel["title"], 60 if spec.get("cols", 1) == 1 else 40), y=1.0)
        _format_y(ax, panel["unit"])
        if panel.get("zero"):
            ax.set_ylim(bottom=0)
        if panel["unit"] == "share":
            ax.set_ylim(top=max(ax.get_ylim()[1], 0.05))
        _headroom(ax, highest, panel["unit"])
        _format_dates(ax)
        ax.grid(alpha=0.3)
        if spec.get("legend", "each") == "each" or k == 0:
            handles, labels = ax.get_legend_handles_labels()
            if handles:
                ax.legend(fontsize=7.5, loc=panel.get("legend_loc", "best"))
    return fig


def _headroom(ax: Any, highest: float, unit: str) -> None:
    """Room above the highest line or band: the axis ends at the first tick clear of it
    (a share that reaches 100% ends at 105%), so no line runs along the top edge."""
    if not math.isfinite(highest):
        return
    bottom = ax.get_ylim()[0]
    needed = highest + 0.04 * (highest - bottom if highest > bottom else abs(highest) or 1.0)
    if unit == "share" and highest <= 1.0 < needed:
        ax.set_ylim(bottom, 1.05)
        return
    ticks = MaxNLocator(nbins=6).tick_values(bottom, needed)
    ax.set_ylim(bottom, min((t for t in ticks if t >= needed), default=needed))


# -- distributions ---------------------------------------------------------------------

def histogram_edges(values: list[float], bins: int) -> np.ndarray:
    """Bin edges for `values`; one bin around the value when all are equal but for
    rounding (numpy cannot cut a range of a few ulps into bins)."""
    lo, hi = float(min(values)), float(max(values))
    scale = max(abs(lo), abs(hi), 1e-300)
    if hi - lo <= 1e-9 * scale:
        half = max(0.5, 1e-3 * scale)
        mid = (lo + hi) / 2
        return np.array([mid - half, mid + half])
    return np.linspace(lo, hi, bins + 1)


def draw_histograms(spec: dict[str, Any]) -> Figure:
    """spec: panels [{title, unit, values}]: replications per bin of each metric."""
    panels = spec["panels"]
    fig, axes = _grid(len(panels), 3, 10.5, 2.5, top=0.45)
    for ax, p in zip(axes, panels):
        values = [float(v) for v in p["values"]]
        edges = histogram_edges(values, min(20, max(5, len(values) // 2)))
        counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
        ax.stairs(counts, edges, fill=True, color=PALETTE[0], alpha=0.85)
        ax.set_title(_wrap(p["title"], 38), fontsize=9, y=1.0)  # as in draw_panels
        ax.set_xlabel(_axis_label(p["unit"]), fontsize=8)
        ax.set_ylabel("replications", fontsize=8)
        ax.xaxis.set_major_formatter(TickFormatter(p["unit"]))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.tick_params(labelsize=7)
    return fig


# -- differences -------------------------------------------------------------------------

VERDICT_STYLE = {  # colour, marker, legend: the marker carries the verdict without colour
    "better": (BETTER, "^", "better (95% CI excludes 0)"),
    "worse": (WORSE, "v", "worse (95% CI excludes 0)"),
    "changed": (NEUTRAL, "D", "changed, neither better nor worse"),
    "depends": (DEPENDS, "s", "significant, but not in 90% of the draws of the assumptions"),
    "unsure": (UNSURE, "o", "95% CI includes 0"),
}


def draw_forest(spec: dict[str, Any]) -> Figure:
    """spec: title; rows [{label, value, lo, hi, verdict, axis}]: each row's change and
    95% CI, `verdict` better|worse|changed|depends|unsure, `axis` the x-axis it is drawn on
    ("change from the baseline mean, %" or an absolute change in a unit; one panel per
    axis, in order of first appearance)."""
    rows = spec["rows"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(rows, key=lambda r: not r["axis"].startswith("change from")):
        groups.setdefault(r["axis"], []).append(r)
    seen = [v for v in VERDICT_STYLE if any(r["verdict"] == v for r in rows)]
    legend_rows = math.ceil(len(seen) / 2)
    per_row, per_panel = 0.3, 0.85
    top_in, bottom_in = 0.55, 0.6 + 0.2 * legend_rows
    height = per_row * len(rows) + per_panel * len(groups) + top_in + bottom_in
    fig = Figure(figsize=(8.5, height))
    longest = max(len(r["label"]) for r in rows)
    left = min(0.55, 0.12 + 0.0068 * longest)
    axes = fig.subplots(len(groups), 1, squeeze=False,
                        gridspec_kw={"height_ratios": [len(g) + 1.2 for g in groups.values()]})
    fig.subplots_adjust(left=left, right=0.97, top=1 - top_in / height,
                        bottom=bottom_in / height, hspace=0.55 * len(groups) / max(1, len(rows)) + 0.25)
    for ax, (axis, group) in zip(axes[:, 0], groups.items()):
        for y, r in enumerate(reversed(group)):
            colour, marker, _ = VERDICT_STYLE[r["verdict"]]
            ax.plot([r["lo"], r["hi"]], [y, y], color=colour, lw=2.2, solid_capstyle="butt")
            ax.plot(r["value"], y, marker, color=colour, ms=7, mec=colour,
                    mfc="white" if r["verdict"] == "unsure" else colour, mew=1.4)
        ax.set_yticks(range(len(group)), [r["label"] for r in reversed(group)], fontsize=8)
        ax.set_ylim(-0.7, len(group) - 0.3)
        ax.axvline(0, color="black", lw=0.8)
        percent = axis.endswith("%")
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{v:+,.0f}%" if v else "0") if percent
            else FuncFormatter(lambda v, _: ("+" if v > 0 else "") + compact(v) if v else "0"))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.set_xlabel(axis, fontsize=8)
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_title(spec.get("title", "Differences from the baseline"))
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=VERDICT_STYLE[v][0], lw=2.2, marker=VERDICT_STYLE[v][1],
                      ms=7, mfc="white" if v == "unsure" else VERDICT_STYLE[v][0])
               for v in seen]
    fig.legend(handles, [VERDICT_STYLE[v][2] for v in seen], fontsize=7.5,
               loc="lower center", ncol=min(2, len(seen)), bbox_to_anchor=(0.5, 0.0))
    return fig


# -- sweeps ------------------------------------------------------------------------------

def draw_main_effects(spec: dict[str, Any]) -> Figure:
    """Mean of an output at each level (or bin) of each factor, with 95% CIs of those
    means, over the design points themselves; every panel on one y-scale that holds
    every point and interval. spec: title, unit, overall (the mean of all points; a
    dashed line), panels [{title, x: [labels or numbers], numeric, binned?, mean, lo, hi,
    scatter_x, scatter_y, base? (the base scenario's value: a dotted line)}]."""
    panels = spec["panels"]
    cols = min(3, len(panels))
    fig, axes = _grid(len(panels), cols, 3.3 * cols + 0.6, 2.9, top=1.05)
    fig.suptitle(spec["title"], fontsize=11, fontweight="bold")
    values = [v for p in panels for key in ("scatter_y", "lo", "hi", "mean")
              for v in p.get(key) or [] if v is not None and math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = 0.06 * (high - low) if high > low else max(abs(high) * 0.05, 0.05)
    limits = (low - pad, high + pad)
    rng = np.random.default_rng(0)  # the spread of points at a level: the same every time
    for k, (ax, p) in enumerate(zip(axes, panels)):
        x = p["x"] if p["numeric"] else list(range(len(p["x"])))
        sx = np.array(p.get("scatter_x") or [], dtype=float)
        if sx.size and not p.get("binned"):
            spacing = min(np.diff(sorted(set(x))), default=1.0) if len(x) > 1 else 1.0
            sx = sx + rng.uniform(-0.08, 0.08, sx.size) * float(spacing)
        if sx.size:
            ax.scatter(sx, p["scatter_y"], s=7, alpha=0.35, color="#8c8c8c",
                       label="design points", lw=0, zorder=1)
        mean = np.array([math.nan if v is None else v for v in p["mean"]], dtype=float)
        lo = np.array([math.nan if v is None else v for v in p["lo"]], dtype=float)
        hi = np.array([math.nan if v is None else v for v in p["hi"]], dtype=float)
        ax.errorbar(x, mean, yerr=[np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)],
                    fmt="o-", color=PALETTE[1], ecolor=PALETTE[1], elinewidth=1.2,
                    capsize=3, lw=1.6, label="mean with 95% CI", zorder=3)
        if spec.get("overall") is not None:
            ax.axhline(spec["overall"], color="#555", ls="--", lw=0.9, zorder=2,
                       label="mean of all points")
        if p.get("base") is not None:
            ax.axvline(p["base"], color=PALETTE[0], ls=":", lw=1.3, zorder=2,
                       label="base scenario")
        if not p["numeric"]:
            ax.set_xticks(x, [_wrap(str(v), 14) for v in p["x"]], fontsize=7)
        elif not p.get("binned"):  # the levels themselves; every k-th labelled so they fit
            step = math.ceil(len(x) / 5)
            ax.set_xticks(x, [compact(v, digits=4) if i % step == 0 else ""
                              for i, v in enumerate(x)], fontsize=7)
        else:
            ax.xaxis.set_major_formatter(TickFormatter())
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_ylim(*limits)
        ax.set_title(_wrap(p["title"], 34), fontsize=8.5)
        ax.yaxis.set_major_formatter(TickFormatter(spec["unit"]))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel(_axis_label(spec["unit"]), fontsize=8)
        else:
            ax.tick_params(labelleft=False)  # the same scale as the first of the row
    handles: dict[str, Any] = {}
    for ax in axes:
        for h, name in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(name, h)
    if handles:
        fig.legend(list(handles.values()), list(handles), fontsize=7.5, loc="upper center",
                   ncol=len(handles), bbox_to_anchor=(0.5, 1 - 0.4 / fig.get_figheight()))
    return fig


def draw_heatmap(spec: dict[str, Any]) -> Figure:
    """Mean output over two factors, each cell labelled with its value. spec: title,
    unit, x_label, y_label, x, y (level labels), grid (rows of y, columns of x)."""
    grid = np.array([[math.nan if v is None else v for v in row] for row in spec["grid"]],
                    dtype=float)
    ny, nx = grid.shape
    width, height = min(10.0, max(5.5, 2.2 + 0.75 * nx)), min(8.0, 2.2 + 0.42 * ny)
    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    fig.subplots_adjust(left=1.6 / width, right=1 - 1.4 / width, top=1 - 0.6 / height,
                        bottom=1.0 / height)
    im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(nx), [_wrap(v, 10) for v in spec["x"]], fontsize=7)
    ax.set_yticks(range(ny), spec["y"], fontsize=7)
    ax.set_xlabel(spec["x_label"], fontsize=8)
    ax.set_ylabel(spec["y_label"], fontsize=8)
    ax.set_title(_wrap(spec["title"], int(width * 9)), fontsize=9.5)  # never cut at the edges
    if nx * ny <= 150:
        finite_values = grid[~np.isnan(grid)]
        mid = float(np.mean([finite_values.min(), finite_values.max()])) if finite_values.size else 0
        for i in range(ny):
            for j in range(nx):
                if not math.isnan(grid[i, j]):
                    ax.text(j, i, compact(grid[i, j], spec["unit"]), ha="center", va="center",
                            fontsize=7, color="white" if grid[i, j] < mid else "black")
    bar = fig.colorbar(im, ax=ax)
    name = spec["label"][:1].lower() + spec["label"][1:]
    bar.set_label(f"mean {name} ({_axis_label(spec['unit'])})", fontsize=8)
    bar.formatter = FuncFormatter(lambda v, _: compact(v, spec["unit"]))
    bar.update_ticks()
    return fig


def draw_sensitivity(spec: dict[str, Any]) -> Figure:
    """Signed bars of a sensitivity measure per factor, strongest first. spec: title,
    xlabel, bars [{label, value, lo?, hi?}], note (e.g. R2)."""
    bars = spec["bars"]
    height = 0.38 * len(bars) + 1.5
    longest = max((len(b["label"]) for b in bars), default=10)
    fig = Figure(figsize=(7.5, height))
    ax = fig.subplots()
    fig.subplots_adjust(left=min(0.5, 0.1 + 0.0075 * longest), right=0.96,
                        top=1 - 0.55 / height, bottom=0.75 / height)
    values = [b["value"] if b["value"] is not None else 0.0 for b in bars][::-1]
    colours = [PALETTE[0] if v >= 0 else PALETTE[1] for v in values]
    ax.barh(range(len(bars)), values, color=colours)
    errors = [(b.get("lo"), b.get("hi"), b["value"]) for b in bars][::-1]
    for y, (lo, hi, _v) in enumerate(errors):
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [y, y], color="black", lw=1)
    ax.set_yticks(range(len(bars)), [b["label"] for b in bars][::-1], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(spec["xlabel"], fontsize=8)
    ax.set_title(_wrap(spec["title"], 70))
    if spec.get("note"):
        ax.text(0.99, 0.02, spec["note"], transform=ax.transAxes, ha="right", va="bottom",
                fontsize=8, bbox={"facecolor": "white", "alpha": 0.85, "lw": 0})
    ax.grid(axis="x", alpha=0.3)
    return fig


HATCHES = ["", "//", "..", "\\\\", "xx", "--", "oo", "++"]


def draw_drivers(spec: dict[str, Any]) -> Figure:
    """One horizontal bar per metric, cut into shares of its variance (0 to 100%).
    spec: title, names (every driver, in legend order; `rest` last), rest, rows
    [{label, segments: [{name, share}]}]. Each driver keeps one colour and hatch in every
    bar; a segment wide enough is labelled with its percentage; `noise` is grey and
    `rest` white, so neither reads as an assumption."""
    rows, names = spec["rows"], spec["names"]
    style: dict[str, dict[str, Any]] = {}
    for k, name in enumerate(n for n in names if n not in ("noise", spec["rest"])):
        style[name] = {"color": PALETTE[k % len(PALETTE)], "hatch": HATCHES[k % len(HATCHES)]}
    style["noise"] = {"color": "#bdbdbd", "hatch": ""}
    style[spec["rest"]] = {"color": "white", "hatch": ""}
    longest = max(len(r["label"]) for r in rows)
    legend_rows = math.ceil(len(names) / 2)
    per_row = 0.18  # inches a legend row takes at 7.5 pt (more left a gap above a long legend)
    height = 0.42 * len(rows) + 1.1 + per_row * legend_rows
    fig = Figure(figsize=(8.0, height))
    ax = fig.subplots()
    fig.subplots_adjust(left=min(0.45, 0.08 + 0.0085 * longest), right=0.97,
                        top=1 - 0.45 / height, bottom=(0.55 + per_row * legend_rows) / height)
    for y, row in enumerate(reversed(rows)):
        left = 0.0
        for seg in row["segments"]:
            st = style[seg["name"]]
            ax.barh(y, seg["share"] * 100, left=left, color=st["color"], hatch=st["hatch"],
                    edgecolor="#555555", lw=0.6, height=0.7)
            if seg["share"] >= 0.08 and seg["name"] != spec["rest"]:
                dark = st["color"] not in ("white", "#bdbdbd")
                ax.text(left + seg["share"] * 50, y, f"{seg['share']:.0%}", ha="center",
                        va="center", fontsize=7.5, color="white" if dark else "black",
                        bbox={"facecolor": st["color"], "lw": 0, "pad": 0.8} if st["hatch"]
                        else None)
            left += seg["share"] * 100
    ax.set_yticks(range(len(rows)), [r["label"] for r in reversed(rows)], fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_xlabel("share of the metric's variance over the draws", fontsize=8)
    ax.set_title(spec.get("title", "What each answer rests on"))
    from matplotlib.patches import Patch

    fig.legend([Patch(facecolor=style[n]["color"], hatch=style[n]["hatch"],
                      edgecolor="#555555") for n in names], names, fontsize=7.5,
               loc="lower center", ncol=2, frameon=False)
    return fig


DRAWERS: dict[str, Callable[[dict[str, Any]], Figure]] = {
    "panels": draw_panels, "histograms": draw_histograms, "forest": draw_forest,
    "main_effects": draw_main_effects, "heatmap": draw_heatmap,
    "sensitivity": draw_sensitivity, "drivers": draw_drivers,
}


def draw_and_save(kind: str, spec: dict[str, Any], stem: Path) -> None:
    save(DRAWERS[kind](spec), stem)


def warm_up() -> None:
    """Draw a tiny figure once (fonts, text layout and both writers load their caches),
    so that processes forked from this one start warm."""
    import io

    fig = Figure(figsize=(2, 1.5))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="warm")
    ax.set_title("warm-up")
    ax.legend()
    FigureCanvasAgg(fig)
    fig.savefig(io.BytesIO(), format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    fig.savefig(io.BytesIO(), format="svg")
