"""A tiny document model rendered both as Markdown and as self-contained HTML.

Blocks: ("h1"|"h2"|"p", text), ("table", headers, rows), ("ul", items),
("img", relative path, caption). Images are linked in Markdown and inlined as base64
data URIs in HTML, so the HTML opens offline and carries no external reference.
"""
from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Block = tuple[Any, ...]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:960px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #1f4e79}h2{font-size:1.25em;color:#1f4e79;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#e8eef5}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}
img{max-width:100%;height:auto}figcaption{font-size:.85em;color:#555}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def fmt(v: Any, digits: int = 4) -> str:
    """Numbers with `digits` significant digits; None as an em dash."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 10 ** (digits - 1):
            return f"{v:,.0f}"
        return f"{v:.{digits}g}"
    return str(v)


def compact(v: Any) -> str:
    """`fmt` for narrow terminals: millions and above as "8.162 M"."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 1e6:
        return f"{v / 1e6:,.4g} M"
    return fmt(v)


def _is_num(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "-−[" or cell == "—")


def _td(cell: str) -> str:
    cls = ' class="n"' if _is_num(cell) else ""
    return f"<td{cls}>{html.escape(cell)}</td>"


def _md_cell(c: Any) -> str:
    """A table cell on one line: a newline would end the row."""
    return str(c).replace("\n", " ").replace("|", "\\|")


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        kind = b[0]
        if kind == "h1":
            out.append(f"# {b[1]}\n")
        elif kind == "h2":
            out.append(f"## {b[1]}\n")
        elif kind == "p":
            out.append(f"{b[1]}\n")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in b[1]) + "\n")
        elif kind == "table":
            head, rows = b[1], b[2]
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |"
                      for r in rows]
            out.append("\n".join(lines) + "\n")
        elif kind == "img":
            out.append(f"![{b[2]}]({b[1]})\n\n*{b[2]}*\n")
    return "\n".join(out)


def to_html(blocks: Sequence[Block], title: str, root: Path) -> str:
    """HTML with inline CSS; "img" blocks read `root / path` and inline it."""
    esc = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"]
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2", "p"):
            parts.append(f"<{kind}>{esc(b[1])}</{kind}>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{esc(str(i))}</li>" for i in b[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{esc(h)}</th>" for h in b[1])
            body = "".join("<tr>" + "".join(_td(str(c)) for c in r) + "</tr>" for r in b[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "img":
            data = base64.b64encode((root / b[1]).read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt=\"{esc(b[2])}\" src=\"data:image/png;base64,{data}\">"
                         f"<figcaption>{esc(b[2])}</figcaption></figure>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
