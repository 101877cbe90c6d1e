"""The SQLite store of a sweep: its spec, its design and every run, committed as each
finishes (WAL, synchronous=NORMAL), so a killed sweep loses nothing."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS design (
    point INTEGER PRIMARY KEY, parameters TEXT NOT NULL, unit TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, seed TEXT NOT NULL,
    parameters TEXT NOT NULL, metrics TEXT, status TEXT NOT NULL, error TEXT,
    wall_seconds REAL, PRIMARY KEY (point, replication));
"""


@dataclass(frozen=True)
class Run:
    point: int
    replication: int
    seed: list[int]
    parameters: dict[str, Any]
    metrics: dict[str, float | None]
    status: str  # "ok" or "failed"
    error: str | None
    wall_seconds: float


class SpecMismatch(Exception):
    """Resuming a store whose sweep spec is not the one given."""


class NotAStore(Exception):
    """A file that is neither new nor a kazsim sweep database (left untouched)."""


def _connect(path: str) -> sqlite3.Connection:
    """A connection to a new file or a kazsim store; a foreign file is left untouched."""
    try:
        db = sqlite3.connect(path)
    except sqlite3.DatabaseError as err:
        raise NotAStore(f"{path}: cannot open ({err})") from None
    try:
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables or "meta" in tables:
            return db
    except sqlite3.DatabaseError:
        pass  # not SQLite at all
    db.close()
    raise NotAStore(f"{path}: not a kazsim sweep database; choose another file")


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.db = _connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the sweep ---------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def initialise(self, meta: dict[str, str], factors: list[str], values: list[list[Any]],
                   unit: list[list[float]]) -> None:
        """Record the sweep once; a store that already holds one must hold the same spec."""
        if self.meta("spec") is not None:
            for key, what in (("spec", "its spec differs from this file's"),
                              ("scenario_sha256", "its base scenario file has changed since"),
                              ("scenario_data_sha256", "a scenario the base extends has "
                                                       "changed since")):
                if key in meta and self.meta(key) not in (None, meta[key]):
                    raise SpecMismatch(f"{self.path} holds a different sweep ({what}); "
                                       "use a new --out or delete the file")
            # the same spec can build another design under other SciPy/SALib/NumPy versions
            rows = json.loads(json.dumps([dict(zip(factors, row)) for row in values]))
            if [params for _, params, _ in self.design()] != rows:
                raise SpecMismatch(f"{self.path} holds a different sweep (its design differs "
                                   "from the one this file builds here: other library "
                                   "versions?); use a new --out or delete the file")
            return
        with self.db:
            self.db.executemany("INSERT INTO meta VALUES (?, ?)",
                                [*meta.items(), ("factors", json.dumps(factors))])
            self.db.executemany(
                "INSERT INTO design VALUES (?, ?, ?)",
                [(i, json.dumps(dict(zip(factors, row))), json.dumps(list(map(float, u))))
                 for i, (row, u) in enumerate(zip(values, unit))])

    def factors(self) -> list[str]:
        return json.loads(self.meta("factors") or "[]")

    def design(self) -> Iterator[tuple[int, dict[str, Any], list[float]]]:
        for point, params, unit in self.db.execute(
                "SELECT point, parameters, unit FROM design ORDER BY point"):
            yield point, json.loads(params), json.loads(unit)

    # -- runs ----------------------------------------------------------------------

    def done(self) -> set[tuple[int, int]]:
        return set(self.db.execute("SELECT point, replication FROM runs"))

    def add(self, run: Run) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run.point, run.replication, json.dumps(run.seed), json.dumps(run.parameters),
                 json.dumps(run.metrics), run.status, run.error, run.wall_seconds))

    def runs(self) -> Iterator[Run]:
        """Every stored run, ordered by point then replication (streamed)."""
        cursor = self.db.execute(
            "SELECT point, replication, seed, parameters, metrics, status, error, wall_seconds "
            "FROM runs ORDER BY point, replication")
        for p, r, seed, params, metrics, status, error, wall in cursor:
            yield Run(p, r, json.loads(seed), json.loads(params), json.loads(metrics or "{}"),
                      status, error, wall)

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))
