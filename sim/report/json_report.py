"""The report.json document: the whole result of a run, and what `compare` reads back."""
from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim import __version__
from sim.metrics import METRICS, applies
from sim.report.inputs import non_defaults
from sim.results import ReplicationResult
from sim.stats import summarize_metrics, summarize_series
from sim.thresholds import breach_shares

FORMAT = "kazsim-report/1"


class ReportFormatError(ValueError):
    """A file given as a saved report is not one this version reads."""


def build_report(loaded: Any, results: Sequence[ReplicationResult], seed: int,
                 started: str, wall_seconds: float, extra_run: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
    """The report.json dict for `results` of the scenario `loaded` (a LoadedScenario)."""
    sc = loaded.scenario
    run = {"replications": len(results), "seed": seed, "version": __version__,
           "started": started, "wall_seconds": round(wall_seconds, 3),
           "failed": [{"index": r.index, "error": r.error} for r in results if not r.ok]}
    run.update(extra_run or {})
    return {
        "format": FORMAT,
        "scenario": {"name": sc.name, "file": str(loaded.file), "sha256": loaded.sha256,
                     "resolved": sc.model_dump(mode="json")},
        "run": run,
        "metrics": summarize_metrics(results, [m for m in METRICS if not applies(m, sc)]),
        "series": summarize_series(results),
        "replications": [{"index": r.index, "seed": list(r.seed), "metrics": _clean(r.metrics),
                          **({"error": r.error} if r.error else {})} for r in results],
        "thresholds": breach_shares(sc.thresholds, results),
        "unfilled": unfilled_summary(results),
        "warnings": [str(w) for w in loaded.warnings]
                    + sorted({w for r in results for w in r.warnings}),
        "assumptions": {"sources": list(sc.sources), "non_default_inputs": non_defaults(sc)},
    }


def _clean(metrics: dict[str, float | None]) -> dict[str, float | None]:
    """JSON has no NaN or infinity: those become null."""
    return {k: (None if v is None or not math.isfinite(v) else v) for k, v in metrics.items()}


def unfilled_summary(results: Sequence[ReplicationResult]) -> list[dict[str, Any]]:
    """Unfilled contingent posts by deployment, role and reason: mean per replication."""
    ok = [r for r in results if r.ok]
    total: Counter[tuple[str, str, str]] = Counter()
    for r in ok:
        for u in r.unfilled:
            key = (str(u.get("deployment", "")), str(u.get("role", "")), str(u.get("reason", "")))
            total[key] += int(u.get("missing", 1) or 0)
    return [{"deployment": d, "role": role, "reason": reason, "missing_total": n,
             "missing_per_replication": n / len(ok)}
            for (d, role, reason), n in sorted(total.items())]


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a saved report.json; ReportFormatError if it is not a kazsim-report/1."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReportFormatError(f"{path}: not a readable JSON report ({err})") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if not isinstance(fmt, str) or not fmt.startswith("kazsim-report/"):
        raise ReportFormatError(f"{path}: not a kazsim report (expected \"format\": "
                                f"\"{FORMAT}\", found {fmt!r})")
    if fmt != FORMAT:
        raise ReportFormatError(f"{path}: report format {fmt!r} is not supported by this "
                                f"kazsim (reads {FORMAT!r}); re-run the scenario")
    for key in ("scenario", "run", "metrics", "replications"):
        if key not in data:
            raise ReportFormatError(f"{path}: report lacks the key {key!r}")
    _check_shape(path, data)
    return data


def _check_shape(path: str | Path, data: dict[str, Any]) -> None:
    """The keys `compare` reads, so a damaged report is an input error, not a KeyError."""
    wanted = {"scenario": ("name", "resolved"), "run": ("replications", "seed")}
    for key, subkeys in wanted.items():
        for sub in subkeys:
            if not isinstance(data[key], dict) or sub not in data[key]:
                raise ReportFormatError(f"{path}: report lacks the key '{key}.{sub}'")
    reps = data["replications"]
    if not isinstance(data["metrics"], dict) or not isinstance(reps, list) or not all(
            isinstance(r, dict) and isinstance(r.get("metrics"), dict) and "index" in r
            for r in reps):
        raise ReportFormatError(f"{path}: report's 'metrics' or 'replications' are damaged")


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, allow_nan=False, default=str) + "\n"
