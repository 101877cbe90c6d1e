"""The SQLite store of a policy search: the policy and every model replication of every
candidate, committed as each finishes (WAL), so a killed search loses nothing and a
resumed one runs no replication twice."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sim.scenario.yamlio import excerpt
from sim.studies import store_check
from sim.studies.optimize.policy import Settings
from sim.studies.store_check import MAX_META, Layout, Table, integer, number, one_of, text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evaluations (
    candidate TEXT NOT NULL, replication INTEGER NOT NULL, seed TEXT NOT NULL,
    metrics TEXT, status TEXT NOT NULL, error TEXT, wall_seconds REAL,
    PRIMARY KEY (candidate, replication));
"""
KIND = "kazsim policy search"
LAYOUT = Layout("kazsim policy-search database", (
    Table("meta", ("key", "value"), f"{text('key')} AND {text('value', MAX_META)}"),
    Table("evaluations", ("candidate", "replication", "seed", "metrics", "status", "error",
                          "wall_seconds"),
          f"{text('candidate')} AND {integer('replication')} AND {text('seed', 1000)} AND "
          f"{text('metrics', null=True)} AND {one_of('status', 'ok', 'failed')} AND "
          f"{text('error', null=True)} AND {number('wall_seconds')}"),
))


class StoreError(Exception):
    """A file that is not a policy-search store, or holds another search."""


def candidate_key(settings: Settings) -> str:
    """A candidate's identity: its settings as canonical JSON."""
    return json.dumps(settings, sort_keys=True)


class EvaluationStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            tables = {n for (n,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a kazsim policy-search database ({err})") from None
        if tables and ("meta" not in tables or "evaluations" not in tables):
            self.db.close()
            raise StoreError(f"{self.path}: not a kazsim policy-search database; "
                             "choose another file")
        try:
            if tables:
                store_check.check(self.db, self.path, LAYOUT)
                kind = self.meta("kind")
                if kind not in (None, KIND):
                    raise StoreError(f"{self.path}: not a kazsim policy-search database "
                                     f"(it says it holds {excerpt(kind)}); choose another file")
        except BaseException:
            self.db.close()
            raise
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> EvaluationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def initialise(self, digest: str, meta: dict[str, str]) -> None:
        """Record the search once; a store holding another search is refused."""
        held = self.meta("digest")
        if held is None:
            with self.db:
                self.db.executemany("INSERT INTO meta VALUES (?, ?)",
                                    [("kind", KIND), ("digest", digest), *meta.items()])
        elif held != digest:
            raise StoreError(f"{self.path} holds another search (its policy file or base "
                             "scenario differs); use a new --out or delete the file")

    def runs(self, candidate: str) -> dict[int, tuple[dict[str, float | None], str]]:
        """replication -> (metrics, status) of one candidate; InputError for metrics that
        are not what kazsim writes (a damaged store)."""
        return {r: (self._metrics(m, r), s) for r, m, s in self.db.execute(
            "SELECT replication, metrics, status FROM evaluations WHERE candidate = ?",
            (candidate,))}

    def _metrics(self, text: str | None, replication: int) -> dict[str, float | None]:
        try:
            metrics = json.loads(text or "{}")
        except (ValueError, RecursionError):
            metrics = None
        if not isinstance(metrics, dict) or not all(
                v is None or isinstance(v, (int, float)) and not isinstance(v, bool)
                for v in metrics.values()):
            raise store_check.damaged(self.path, LAYOUT.kind, "the metrics of replication "
                                      f"{replication} of a candidate are not what kazsim "
                                      "writes")
        return metrics

    def add(self, candidate: str, replication: int, seed: list[int],
            metrics: dict[str, float | None], status: str, error: str | None,
            wall: float) -> None:
        with self.db:
            self.db.execute("INSERT INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (candidate, replication, json.dumps(seed), json.dumps(metrics),
                             status, error, wall))

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])

    def first_error(self) -> str | None:
        row = self.db.execute("SELECT error FROM evaluations WHERE status = 'failed' "
                              "LIMIT 1").fetchone()
        return row[0] if row else None
