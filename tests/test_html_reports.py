"""Each HTML report (run, compare, sweep, discover, optimize) in headless Chromium: no horizontal overflow at
1280 pixels, every image loaded, and printed (--print-to-pdf, A4) with every table column.
Every report also at 390 pixels (a phone): a viewport meta, no overflow of the page (a
wide table scrolls inside its own box), and Findings first.

Needs Debian's `chromium` (.ci/run installs it when missing)."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from cli_cases import ROOT, invoke, short

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]

# Measures the page once it has loaded and writes the verdict into the DOM.
PROBE = """<script>
window.addEventListener('load', () => {
  const doc = document.documentElement;
  const images = [...document.images];
  // a table in a scroll box may be wider than the page: the box is what must fit
  const wide = [...document.querySelectorAll('table, pre, figure, img, p, ul, h1, h2')]
      .map(e => (e.tagName === 'TABLE' && e.closest('.scroll')) || e)
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .map(e => e.tagName + ':' + (e.textContent || e.alt || '').slice(0, 40));
  const heads = [...document.body.children].filter(e => !['SCRIPT', 'PRE'].includes(e.tagName)
      || e.id !== 'kazsim-probe');
  const firstH2 = heads.findIndex(e => e.tagName === 'H2');
  const out = document.createElement('pre');
  out.id = 'kazsim-probe';
  out.textContent = JSON.stringify({
    scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, wide: wide,
    images: images.length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    viewport: (document.querySelector('meta[name=viewport]') || {}).content || null,
    firstH2: firstH2 < 0 ? null : heads[firstH2].textContent,
    beforeFirstH2: heads.slice(0, Math.max(firstH2, 0)).map(e => e.tagName)});
  document.body.appendChild(out);
  if (window.parent !== window) window.parent.postMessage(out.textContent, '*');
});
</script>"""

# Chromium's window is at least 500 pixels wide: a phone's width is a frame of that width
# in a wider window; the page in it reports what it measured to the window.
PHONE = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
window.addEventListener('message', e => {{
  const out = document.createElement('pre');
  out.id = 'kazsim-probe';
  out.textContent = e.data;
  document.body.appendChild(out);
}});
</script></body></html>"""


def chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def probe(page: Path, tmp: Path, width: int) -> dict:
    """The page measured in Chromium `width` pixels wide."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (.ci/run installs it)"
    probed = tmp / f"probed-{width}-{page.name}"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    target = probed
    if width < 500:
        target = tmp / f"phone-{width}-{page.name}"
        target.write_text(PHONE.format(src=probed.name, width=width), encoding="utf-8")
    done = chromium([f"--window-size={max(width, 800)},900", "--virtual-time-budget=5000",
                     "--dump-dom", target.as_uri()], tmp)
    found = re.search(r'<pre id="kazsim-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def check_page(page: Path, tmp: Path, widths: tuple[int, ...] = (1280,),
               findings: bool = False) -> None:
    for width in widths:
        seen = probe(page, tmp, width)
        assert seen["innerWidth"] == width, seen
        assert seen["scrollWidth"] <= seen["innerWidth"], (width, seen)
        assert not seen["wide"], (width, seen["wide"])
        assert seen["images"] >= 1 and not seen["broken"], seen
        assert seen["viewport"] == "width=device-width, initial-scale=1", seen
        if findings:  # the answer first: nothing but the title before it
            assert seen["firstH2"] == "Findings" and seen["beforeFirstH2"] == ["H1"], seen
    pdf = tmp / f"{page.stem}.pdf"
    chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp)
    assert pdf.is_file() and pdf.stat().st_size > 1000
    from pypdf import PdfReader

    box = PdfReader(pdf).pages[0].mediabox  # A4: 595 x 842 points
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), box
    printed = _pdf_text(pdf)
    for header in _table_headers(page.read_text(encoding="utf-8")):
        assert _squash(header) in printed, f"column '{header}' missing from the printed page"


def _squash(text: str) -> str:
    """Without white space and with ligatures undone (PDF text has "ﬁ" for "fi")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _pdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return _squash("".join(page.extract_text() or "" for page in PdfReader(pdf).pages))


def _table_headers(page: str) -> list[str]:
    """The header text of every table's last column (the first cut off when too wide)."""
    heads = []
    for thead in re.findall(r"<thead><tr>(.*?)</tr></thead>", page, re.S):
        cells = re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)
        if cells:
            heads.append(html.unescape(re.sub(r"<[^>]+>", "", cells[-1])))
    return heads


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    # with draws of an assumption: the widest run and comparison pages (the prediction,
    # "rests mostly on", robust and verdict columns; the section and figure of drivers)
    ranged = ("assumptions:\n  costs.vehicle_day: {range: [2, 20], source: 'ASSUMPTION: a "
              "long source that has to wrap inside its table cell on a narrow page'}\n")
    s = short(tmp, reps=2, extra=ranged)
    b = short(tmp, "reform.yaml", extra="deployments: []\n" + ranged, reps=2)
    draws = ("--draws", "4", "--reps-per-draw", "1")
    assert invoke("run", s, "--out", tmp / "run", "--workers", "1", "-q", *draws).exit_code == 0
    assert invoke("compare", s, b, "--out", tmp / "cmp", "--workers", "1", "-q",
                  *draws).exit_code == 0
    sweep = tmp / "wide.yaml"  # five factors and four outputs: the table that used to spill
    sweep.write_text(f"""scenario: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}
design: lhs
points: 8
replications: 2
seed: 1
factors:
  force.recruiting.per_month: {{low: 5, high: 15}}
  deployments.iraq.volunteer_prob: {{low: 0.3, high: 0.9}}
  deployments.iraq.select_days: {{low: 30, high: 90}}
  deployments.iraq.overlap_days: {{low: 3, high: 14}}
  training.courses.nco_course.seats: {{low: 10, high: 40, integer: true}}
outputs: [items_cleared, cost_total_usd, days_to_foc, rotation_fill_rate]
""")
    res = invoke("sweep", sweep, "--out", tmp / "s.db", "--report", tmp / "sweep",
                 "--workers", "1", "-q", "--model", "test_sweep_models:linear")
    assert res.exit_code == 0, res.output
    res = invoke("discover", tmp / "s.db", "--where", "items_cleared < 20", "--out",
                 tmp / "discover", "-q")
    assert res.exit_code == 0, res.output
    policy = tmp / "policy.yaml"
    policy.write_text(f"""scenario: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}
levers:
  training.courses.nco_course.seats: {{low: 5, high: 60, integer: true}}
  force.recruiting.per_month: {{low: 5, high: 40, integer: true}}
objectives: [{{minimize: cost_total_usd}}]
constraints: ["P(officer_share_end >= 0.2) >= 0.75"]
replications: 2
budget: 40
rerun_candidates: 2
rerun_replications: 4
seed: 1
""")
    res = invoke("optimize", policy, "--out", tmp / "p.db", "--report", tmp / "optimize",
                 "--workers", "1", "-q", "--model", "explore_models:two_levers")
    assert res.exit_code == 0, res.output
    return tmp


@pytest.mark.parametrize("page", ["run/report.html", "cmp/comparison.html",
                                  "sweep/sweep.html", "discover/discover.html",
                                  "optimize/optimize.html"])
def test_reports_brief_on_a_screen_a_phone_and_paper(reports, page, tmp_path):
    check_page(reports / page, tmp_path, widths=(1280, 390), findings=True)
