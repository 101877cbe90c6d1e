"""A tiny document model rendered both as Markdown and as self-contained HTML.

Blocks: ("h1"|"h2"|"h3"|"p", text), ("table", headers, rows[, caption]), ("ul", items),
("findings", items) (the sentences a report opens with, set apart), ("img", relative
path, caption), ("code", text). A header or cell may be a `Cell`
with hover text (HTML `title`; Markdown shows the text only). Images are linked in
Markdown and inlined as base64 data URIs in HTML, so the HTML opens offline and
carries no external reference. Tables fit the page on screen and in print: text wraps
(long dotted paths anywhere), numbers do not; wide tables are split by the caller
(`split_columns`).
"""
from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

Block = tuple[Any, ...]


class Cell(NamedTuple):
    """A table cell or header with hover text."""

    text: str
    title: str = ""

    def __str__(self) -> str:
        return self.text


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:980px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.6em;border-bottom:2px solid #1f4e79}h2{font-size:1.25em;color:#1f4e79;margin-top:1.6em}
h3{font-size:1.05em;color:#1f4e79;margin-bottom:.3em}
p,li{overflow-wrap:anywhere}
.findings{background:#f3f7fb;border-left:4px solid #1f4e79;padding:.2em 1em .2em 1.4em;margin:.6em 0}
.findings li{margin:.35em 0}
.scroll{max-width:100%;overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;margin:0;font-size:.88em;max-width:100%}
p.caption{font-size:.78em;color:#555;margin:-.3em 0 .8em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top;
overflow-wrap:break-word}
th{background:#e8eef5}th[title]{text-decoration:underline dotted;cursor:help}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
td[title]{text-decoration:underline dotted;cursor:help}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
pre{background:#f4f6f8;padding:.5em .8em;white-space:pre-wrap;overflow-wrap:anywhere}
figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}
img{max-width:100%;height:auto}figcaption{font-size:.85em;color:#555}
@media (max-width:600px){body{margin:1em auto;padding:0 .6em}h1{font-size:1.3em}
table{font-size:.78em}th,td{padding:.2em .3em}td.n{white-space:normal}}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}h2{page-break-after:avoid}
.scroll{overflow:visible}.findings{break-inside:avoid}
tr{page-break-inside:avoid}table{font-size:8.5pt}td.n{white-space:normal}}
"""


def sig(x: float, digits: int = 3) -> str:
    """`x` to `digits` significant figures in plain decimal notation with thousands
    separators: never "1e+05", never trailing zeros ("1.4", not "1.40"; 398,687 to three
    figures is "399,000")."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else "—"
    places = digits - 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, places)
    if rounded and math.floor(math.log10(abs(rounded))) != math.floor(math.log10(abs(x))):
        places -= 1  # 9.996 rounds up to 10.0: one decimal fewer
        rounded = round(x, places)
    text = f"{rounded:,.{max(0, places)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt(v: Any, digits: int = 3, unit: str = "") -> str:
    """A number for people: `digits` significant figures below 100, whole numbers with
    thousands separators up to a million, then "6.55 M" and "1.2 B"; a share
    (`unit="share"`) as a percentage; never scientific notation. None (and NaN) as an
    em dash; anything else as its text."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v).lower()
    if not isinstance(v, (int, float)):
        return str(v)
    x = float(v)
    if not math.isfinite(x):
        return "—"
    if unit == "share":
        p = x * 100
        return (f"{round(p):,}" if abs(p) >= 99.95 else sig(p, digits)) + "%"
    a = abs(x)
    if a >= 999.5e6:
        return f"{sig(x / 1e9, digits)} B"
    if a >= 999_999.5:
        return f"{sig(x / 1e6, digits)} M"
    if a >= 99.95:
        return f"{round(x):,}"
    return sig(x, digits)


def compact(v: Any, unit: str = "") -> str:
    """`fmt` (kept for the callers that asked for narrow numbers: `fmt` is narrow now)."""
    return fmt(v, unit=unit)


def interval(ci: Sequence[float | None] | None, short: bool = False, unit: str = "") -> str:
    """"[lo, hi]" in `fmt`; an em dash when there is none. (`short` is kept for callers
    of the time when `fmt` was wide.)"""
    if not ci or ci[0] is None or ci[1] is None:
        return "—"
    lo, hi = fmt(ci[0], unit=unit), fmt(ci[1], unit=unit)
    if lo == hi and ci[0] != ci[1]:  # three figures cannot tell them apart: more figures
        lo, hi = fmt(ci[0], 5, unit), fmt(ci[1], 5, unit)
    return f"[{lo}, {hi}]"


def split_columns(head: Sequence[Any], rows: Sequence[Sequence[Any]], keep: int,
                  per_table: int) -> list[tuple[list[Any], list[list[Any]]]]:
    """A wide table as several: the first `keep` columns repeated in each, the others
    `per_table` at a time, so every part fits the page."""
    rest = list(range(keep, len(head)))
    if len(rest) <= per_table:
        return [(list(head), [list(r) for r in rows])]
    parts = []
    for start in range(0, len(rest), per_table):
        cols = list(range(keep)) + rest[start:start + per_table]
        parts.append(([head[c] for c in cols], [[r[c] for c in cols] for r in rows]))
    return parts


def _is_num(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "-−[$+" or cell == "—")


_BREAK_AFTER = re.compile(r"([._/\\,=])")


def breakable(text: str) -> str:
    """Escaped text in which long tokens (dotted paths, file names, lists) may wrap after
    their separators, and nowhere else: a table shrinks to the page without breaking
    words in the middle."""
    return " ".join(_BREAK_AFTER.sub(r"\1<wbr>", html.escape(tok)) if len(tok) > 16
                    else html.escape(tok) for tok in text.split(" "))


_UNIT_SPACE = re.compile(r" (?=[MB]\b|pp\b|%)")


def _td(cell: Any) -> str:
    text = str(cell)
    numeric = _is_num(text)
    cls = ' class="n"' if numeric else ""
    title = f' title="{html.escape(cell.title)}"' if isinstance(cell, Cell) and cell.title else ""
    # a number keeps its scale ("2.77 M"): a narrow column wraps an interval after its comma
    shown = _UNIT_SPACE.sub("&nbsp;", html.escape(text)) if numeric else breakable(text)
    return f"<td{cls}{title}>{shown}</td>"


def _th(cell: Any) -> str:
    title = f' title="{html.escape(cell.title)}"' if isinstance(cell, Cell) and cell.title else ""
    return f"<th{title}>{breakable(str(cell))}</th>"


def _md_cell(c: Any) -> str:
    """A table cell on one line: a newline would end the row."""
    return str(c).replace("\n", " ").replace("|", "\\|")


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + f" {b[1]}\n")
        elif kind == "p":
            out.append(f"{b[1]}\n")
        elif kind == "code":
            out.append(f"```\n{b[1]}\n```\n")
        elif kind in ("ul", "findings"):
            out.append("\n".join(f"- {item}" for item in b[1]) + "\n")
        elif kind == "table":
            head, rows = b[1], b[2]
            lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |",
                     "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |"
                      for r in rows]
            if len(b) > 3 and b[3]:
                lines += ["", f"*{b[3]}*"]
            out.append("\n".join(lines) + "\n")
        elif kind == "img":
            out.append(f"![{b[2]}]({b[1]})\n\n*{b[2]}*\n")
    return "\n".join(out)


def to_html(blocks: Sequence[Block], title: str, root: Path) -> str:
    """HTML with inline CSS; "img" blocks read `root / path` and inline it."""
    esc = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"]
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2", "h3", "p"):
            parts.append(f"<{kind}>{esc(b[1])}</{kind}>")
        elif kind == "code":
            parts.append(f"<pre><code>{esc(b[1])}</code></pre>")
        elif kind in ("ul", "findings"):
            cls = ' class="findings"' if kind == "findings" else ""
            parts.append(f"<ul{cls}>" + "".join(f"<li>{esc(str(i))}</li>" for i in b[1])
                         + "</ul>")
        elif kind == "table":
            head = "".join(_th(h) for h in b[1])
            body = "".join("<tr>" + "".join(_td(c) for c in r) + "</tr>" for r in b[2])
            # the note below the box, not in it: it wraps to the page, not to the table
            caption = f"<p class=\"caption\">{esc(b[3])}</p>" if len(b) > 3 and b[3] else ""
            # a table wider than a phone scrolls inside its own box, never the page
            parts.append(f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
                         f"<tbody>{body}</tbody></table></div>{caption}")
        elif kind == "img":
            data = base64.b64encode((root / b[1]).read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt=\"{esc(b[2])}\" src=\"data:image/png;base64,{data}\">"
                         f"<figcaption>{esc(b[2])}</figcaption></figure>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
