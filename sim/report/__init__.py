"""Report files for `run` and `compare`: JSON, CSV, Markdown, self-contained HTML, figures.

Everything is written into a temporary directory beside the target and renamed into
place, so a reader never sees a half-written report.
"""
from sim.report.atomic import atomic_dir, atomic_file
from sim.report.json_report import FORMAT, build_report, load_report
from sim.report.writer import write_report

__all__ = ["FORMAT", "atomic_dir", "atomic_file", "build_report", "load_report", "write_report"]
