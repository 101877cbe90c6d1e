"""The SQLite store of a sweep: its spec, its design and every run, committed as each
finishes (WAL, synchronous=NORMAL), so a killed sweep loses nothing.

Tables and views (layout 3), each readable with `pandas.read_sql` as numbers:

- `meta(key, value)`: the spec, files, hashes, overrides, how the sweep was started;
- `design(point, parameters, unit)`: each point's factor values (JSON) and unit coordinates;
- `experiments(point, "<factor>", ...)`: the same values, one column per factor;
- `runs(point, replication, seed, status, error, wall_seconds)`;
- view `metrics(point, replication, metric, value)`: every metric of every run that has
  a value, long;
- view `series(point, replication, series, date, value)`: the series the sweep file keeps;
- view `outcomes`: one row per run with one column per output of the spec.

Kept small (a long sweep is tens of thousands of runs): the views read `metric_values`
and `series_values`, which name a metric or series by its number in `names`, hold no
row for a metric without a value (a run reads it back as None), and, like `runs`, are
keyed tables without a separate rowid and index.

Every store is checked before it is trusted (`store_check`, and the numbers of its
names). A store of an earlier layout (1: metrics as JSON text in `runs`; 2: the long
tables with names written out) is converted in place, in one transaction, when opened to
write (`sweep --resume`), and read through a converted copy in memory when opened to
read (`sweep-report`, `open_sweep`, `discover`). A store of a later layout is refused.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, KazsimError, OutputError, output_reason
from sim.core.version import __version__
from sim.scenario.yamlio import excerpt
from sim.studies import store_check
from sim.studies.store_check import MAX_META, Layout, Table, integer, number, one_of, text

LAYOUT = "3"
KIND = "kazsim sweep database"
_RUN = f"{integer('point')} AND {integer('replication')}"
_META = Table("meta", ("key", "value"), f"{text('key')} AND {text('value', MAX_META)}")
_DESIGN = Table("design", ("point", "parameters", "unit"),
                f"{integer('point')} AND {text('parameters')} AND {text('unit')}")
_RUNS = Table("runs", ("point", "replication", "seed", "status", "error", "wall_seconds"),
              f"{_RUN} AND {integer('seed')} AND {one_of('status', 'ok', 'failed')} AND "
              f"{text('error', null=True)} AND {number('wall_seconds')}")
LAYOUTS = {
    "3": Layout(KIND, (
        _META,
        _DESIGN,
        _RUNS,
        Table("names", ("id", "name", "kind"),
              f"{integer('id')} AND {text('name', 1000)} AND {one_of('kind', 'metric', 'series')}"),
        Table("metric_values", ("point", "replication", "metric", "value"),
              f"{_RUN} AND {integer('metric')} AND {number('value')}"),
        Table("series_values", ("point", "replication", "series", "date", "value"),
              f"{_RUN} AND {integer('series')} AND {text('date', 40)} AND {number('value')}"),
    ), frozenset({"experiments"}), frozenset({"outcomes", "metrics", "series"})),
    # names written out in every row, converted when opened (`_upgrade_2`)
    "2": Layout(KIND, (
        _META,
        _DESIGN,
        _RUNS,
        Table("metrics", ("point", "replication", "metric", "value"),
              f"{_RUN} AND {text('metric', 1000)} AND {number('value')}"),
        Table("series", ("point", "replication", "series", "date", "value"),
              f"{_RUN} AND {text('series', 1000)} AND {text('date', 40)} AND {number('value')}"),
    ), frozenset({"experiments"}), frozenset({"outcomes"})),
    # metrics as JSON text in `runs`, converted when opened (`_upgrade`)
    "1": Layout(KIND, (
        _META,
        Table("design", ("point", "parameters", "unit")),
        Table("runs", ("point", "replication", "seed", "metrics", "status", "error",
                       "wall_seconds")),
    )),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS design (
    point INTEGER PRIMARY KEY, parameters TEXT NOT NULL, unit TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
    status TEXT NOT NULL, error TEXT, wall_seconds REAL, PRIMARY KEY (point, replication)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, UNIQUE (name, kind));
CREATE TABLE IF NOT EXISTS metric_values (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, metric INTEGER NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (point, replication, metric)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series_values (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, series INTEGER NOT NULL,
    date TEXT NOT NULL, value REAL, PRIMARY KEY (point, replication, series, date)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS metrics AS
    SELECT v.point, v.replication, n.name AS metric, v.value
    FROM metric_values v JOIN names n ON n.id = v.metric;
CREATE VIEW IF NOT EXISTS series AS
    SELECT v.point, v.replication, n.name AS series, v.date, v.value
    FROM series_values v JOIN names n ON n.id = v.series;
"""


@dataclass(frozen=True)
class Run:
    point: int
    replication: int
    seed: int  # the sweep's base seed; the run's streams are [seed, replication]
    parameters: dict[str, Any]
    metrics: dict[str, float | None]
    status: str  # "ok" or "failed"
    error: str | None
    wall_seconds: float
    dates: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)


class SpecMismatch(Exception):
    """Resuming a store whose sweep spec is not the one given."""


class NotAStore(Exception):
    """A file that is neither new nor a kazsim sweep database (left untouched)."""


def _connect(path: str, readonly: bool = False) -> sqlite3.Connection:
    """A connection to a new file or a kazsim store; a foreign file is left untouched.
    Read-only, it opens a store nothing may be written to (a read-only directory too)."""
    try:
        if readonly:
            uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=ro"
            db = sqlite3.connect(uri, uri=True)
        else:
            db = sqlite3.connect(path)
    except sqlite3.DatabaseError as err:
        raise _unwritable(path, err) or NotAStore(f"{path}: cannot open ({err})") from None
    try:
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables or "meta" in tables:
            return db
    except sqlite3.DatabaseError as err:
        db.close()
        if readonly and _code(err) == "SQLITE_CANTOPEN":  # WAL without its -shm, unwritable
            return sqlite3.connect(f"file:{urllib.parse.quote(os.path.abspath(path))}"
                                   "?mode=ro&immutable=1", uri=True)
        problem = _unwritable(path, err)
        if problem is not None:
            raise problem from None
        if _sqlite_header(path):  # SQLite's, but truncated or overwritten
            raise store_check.damaged(path, KIND, str(err)) from None
        raise NotAStore(f"{path}: not a kazsim sweep database; choose another file") from None
    db.close()
    raise NotAStore(f"{path}: not a kazsim sweep database; choose another file")


def _sqlite_header(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _number(v: Any) -> Any:
    """A factor value as SQLite holds it: numbers as numbers, anything else as JSON."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return json.dumps(v, sort_keys=True, default=str)


def _code(err: sqlite3.Error) -> str:
    return str(getattr(err, "sqlite_errorname", ""))


def _unwritable(path: str, err: sqlite3.Error) -> KazsimError | None:
    """The error a failed SQLite write stands for: a full disk (OutputError, exit 3) or a
    store that cannot be written at all (InputError); None for anything else."""
    code = _code(err)
    if code == "SQLITE_FULL" or "disk is full" in str(err):
        return OutputError(path, "the disk is full")
    if code.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH")) \
            or "readonly" in str(err):
        return InputError.single(f"cannot write {path}: it is read-only or not permitted "
                                 f"({err}); `sweep-report` reads it as it is")
    return None


class StoreLock:
    """An exclusive lock beside the store (`DB.lock`) held while a process works on it, so
    two sweeps (two --resume, say) cannot both do the work. Released when the process
    ends, however it ends (the OS drops the lock with the file descriptor)."""

    def __init__(self, path: str):
        self.path = path + ".lock"
        self.fh: Any = None
        try:
            fh = open(self.path, "a+")  # noqa: SIM115 - held open for the lock's life
        except OSError as err:
            raise InputError.single(f"cannot write {self.path}: {output_reason(err)}") from None
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip()[:20]
            fh.close()
            raise InputError.single(
                f"{path} is in use by another kazsim process{f' (pid {holder})' if holder else ''}"
                "; wait for it to finish, or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.fh.close()
            self.fh = None


def _lock(fh: Any) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


class Store:
    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = str(path)
        self.lock: StoreLock | None = None
        self._names: dict[str, dict[str, int]] = {}  # kind -> name -> number in `names`
        if readonly:
            self.db = _connect(self.path, readonly=True)
            try:
                layout = self._layout()
                if layout is not None and layout != LAYOUT:  # None: never (an empty file is refused)
                    self._convert_in_memory(layout)
            except BaseException:
                self.db.close()
                raise
            return
        parent = Path(self.path).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError.single(f"cannot write {self.path}: {output_reason(err)}") from None
        if Path(self.path).exists() and not os.access(self.path, os.W_OK) or \
                not os.access(parent, os.W_OK):
            raise InputError.single(f"cannot write {self.path}: it is read-only or not "
                                    "permitted; `sweep-report` reads it as it is")
        self.lock = StoreLock(self.path)
        try:
            self.db = _connect(self.path)
            layout = self._layout(missing=True)
            with self.writing():
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                if layout is not None and layout != LAYOUT:
                    self._convert(layout)
                self.db.executescript(_SCHEMA)
        except BaseException:
            if getattr(self, "db", None) is not None:
                self.db.close()
            self.lock.release()
            raise

    def _layout(self, missing: bool = False) -> str | None:
        """The layout of the store, checked (`store_check`) before anything is read from
        it: None for a new file; InputError for a damaged or foreign one. `missing`: the
        layout's tables may be absent (opened for writing: they are created)."""
        try:
            tables = {name for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as err:
            raise store_check.damaged(self.path, KIND, str(err)) from None
        if not tables:
            if missing:
                return None
            raise NotAStore(f"{self.path}: not a kazsim sweep database (an empty file)")
        layout = "1" if "metrics" in self._columns("runs") else "2" if "metrics" in tables else "3"
        store_check.check(self.db, self.path, LAYOUTS[layout], missing)
        stored = self.meta("layout")
        if stored is not None and stored != layout:
            if stored.isdigit() and int(stored) > int(LAYOUT):
                raise InputError.single(
                    f"{self.path} was written by a later kazsim (store layout {excerpt(stored)}; "
                    f"this version {__version__} reads layouts 1 to {LAYOUT}): read or resume "
                    "it with that version")
            raise InputError.single(f"{self.path}: a sweep store of layout {excerpt(stored)}, "
                                    f"from another kazsim; this one reads layouts 1 to {LAYOUT}")
        if self.meta("spec") is not None:  # a sweep was recorded: all of it must be there
            absent = [t.name for t in LAYOUTS[layout].tables if t.name not in tables]
            if absent:
                raise InputError.single(f"{self.path}: not a {KIND} this kazsim reads (it "
                                        f"has no table '{absent[0]}'); choose another file")
            self._check_meta()
        if layout == LAYOUT and {"names", "metric_values", "series_values"} <= tables:
            self._check_names()
        return layout

    def _check_names(self) -> None:
        """Every metric and series a run's rows name by number is in `names`."""
        orphans = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM metric_values WHERE metric NOT IN "
            "(SELECT id FROM names WHERE kind = 'metric')) OR EXISTS (SELECT 1 FROM "
            "series_values WHERE series NOT IN (SELECT id FROM names WHERE kind = 'series'))"
        ).fetchone()[0]
        if orphans:
            raise store_check.damaged(self.path, KIND, "its rows name metrics or series by "
                                                       "numbers it does not hold")

    def _check_meta(self) -> None:
        """The JSON the store's meta holds, of the types kazsim reads."""
        spec, factors = _json(self.meta("spec")), _json(self.meta("factors") or "[]")
        overrides = _json(self.meta("overrides") or "[]")
        if not isinstance(spec, dict) or not _strings(factors) or not _strings(overrides) \
                or not _strings(spec.get("outputs", [])) \
                or not isinstance(spec.get("design", ""), str) \
                or not isinstance(spec.get("scenario", ""), str) \
                or type(spec.get("seed", 1)) is not int:
            raise store_check.damaged(self.path, KIND, "its spec, factors or overrides are "
                                                       "not what kazsim writes")
        if "experiments" in {n for (n,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}:
            lacking = set(["point", *factors]) - set(self._columns("experiments"))
            if lacking:
                raise store_check.damaged(self.path, KIND, "its experiments table lacks "
                                                           f"{excerpt(sorted(lacking)[0])}")

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """SQLite's write errors as kazsim's: a full disk is an OutputError naming the file
        (what was committed before stays: SQLite rolls back the failed transaction)."""
        try:
            yield
        except sqlite3.DatabaseError as err:
            problem = _unwritable(self.path, err)
            if problem is None:
                raise
            raise problem from None
        except OSError as err:
            raise OutputError(self.path, output_reason(err)) from None

    def close(self) -> None:
        self.db.close()
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _columns(self, table: str) -> list[str]:
        return [row[1] for row in self.db.execute(f"PRAGMA table_info({_quote(table)})")]

    def _convert(self, layout: str) -> None:
        """Convert a store of an earlier layout (checked) to this one, in one transaction."""
        try:
            (self._upgrade if layout == "1" else self._upgrade_2)()
        except (ValueError, TypeError, LookupError, AttributeError,
                RecursionError) as err:  # rolled back: the store is as it was
            raise store_check.damaged(self.path, KIND, f"its runs of layout {layout} "
                                      f"cannot be converted: {err}") from None

    def _convert_in_memory(self, layout: str) -> None:
        """Read an earlier layout without writing to it: a copy in memory, converted."""
        copy = sqlite3.connect(":memory:")
        self.db.backup(copy)
        self.db.close()
        self.db = copy
        self._convert(layout)

    def _ids(self, names: Iterable[str], kind: str) -> dict[str, int]:
        """The numbers of `names` (of metrics or series) in table `names`, added if new."""
        known = self._names.setdefault(kind, {})
        new = [n for n in dict.fromkeys(names) if n not in known]
        if new:
            self.db.executemany("INSERT OR IGNORE INTO names (name, kind) VALUES (?, ?)",
                                [(n, kind) for n in new])
            marks = ", ".join("?" * len(new))
            known.update(self.db.execute(
                f"SELECT name, id FROM names WHERE kind = ? AND name IN ({marks})",
                [kind, *new]).fetchall())
        return known

    # -- the sweep ---------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def initialise(self, meta: dict[str, str], factors: list[str], values: list[list[Any]],
                   unit: list[list[float]]) -> None:
        """Record the sweep once; a store that already holds one must hold the same spec."""
        if self.meta("spec") is not None:
            for key, what in (("spec", "its spec differs from this file's"),
                              ("overrides", "its --set overrides differ"),
                              ("scenario_sha256", "its base scenario file has changed since"),
                              ("scenario_data_sha256", "a scenario the base extends has "
                                                       "changed since")):
                stored = self.meta(key)
                if key == "overrides" and stored is None:
                    stored = "[]"  # stores from before overrides existed had none
                if key in meta and stored not in (None, meta[key]):
                    if key == "spec":
                        what = _spec_difference(stored, meta[key])
                    raise SpecMismatch(f"{self.path} holds a different sweep ({what}); "
                                       "use a new --out or delete the file")
            # the same spec can build another design under other SciPy/SALib/NumPy versions
            rows = json.loads(json.dumps([dict(zip(factors, row)) for row in values]))
            if not _same_design([params for _, params, _ in self.design()], rows):
                raise SpecMismatch(f"{self.path} holds a different sweep (its design differs "
                                   "from the one this file builds here: other library "
                                   "versions?); use a new --out or delete the file")
            return
        with self.writing(), self.db:
            self.db.executemany("INSERT INTO meta VALUES (?, ?)",
                                [*meta.items(), ("factors", json.dumps(factors)),
                                 ("layout", LAYOUT)])
            self.db.executemany(
                "INSERT INTO design VALUES (?, ?, ?)",
                [(i, json.dumps(dict(zip(factors, row))), json.dumps(list(map(float, u))))
                 for i, (row, u) in enumerate(zip(values, unit))])
            self._tables_for(factors, json.loads(meta.get("spec", "{}")).get("outputs", []))

    def _tables_for(self, factors: list[str], outputs: list[str]) -> None:
        """`experiments` (a column per factor) and the `outcomes` view (a column per
        output), derived from `design` and `metrics`."""
        self.db.execute("DROP TABLE IF EXISTS experiments")
        self.db.execute("CREATE TABLE experiments (point INTEGER PRIMARY KEY"
                        + "".join(f", {_quote(f)}" for f in factors) + ")")
        rows = [(point, *(_number(params.get(f)) for f in factors))
                for point, params, _ in self.design()]
        marks = ", ".join("?" * (len(factors) + 1))
        self.db.executemany(f"INSERT INTO experiments VALUES ({marks})", rows)
        self.db.execute("DROP VIEW IF EXISTS outcomes")
        columns = "".join(
            f", MAX(CASE WHEN m.metric = '{o.replace(chr(39), chr(39) * 2)}' THEN m.value END)"
            f" AS {_quote(o)}" for o in outputs)
        self.db.execute("CREATE VIEW outcomes AS SELECT r.point, r.replication, r.seed, "
                        f"r.status{columns} FROM runs r LEFT JOIN metrics m "
                        "ON m.point = r.point AND m.replication = r.replication "
                        "GROUP BY r.point, r.replication")

    def factors(self) -> list[str]:
        factors = _json(self.meta("factors") or "[]")
        return factors if _strings(factors) else []  # checked when opened

    def spec(self) -> dict[str, Any]:
        """The sweep spec as stored (checked when opened)."""
        spec = _json(self.meta("spec") or "{}")
        return spec if isinstance(spec, dict) else {}

    def overrides(self) -> list[str]:
        overrides = _json(self.meta("overrides") or "[]")
        return overrides if _strings(overrides) else []

    def design(self) -> Iterator[tuple[int, dict[str, Any], list[float]]]:
        """Each point's factor values and unit coordinates; InputError for a point that
        is not what kazsim writes (a damaged store)."""
        for point, params, unit in self.db.execute(
                "SELECT point, parameters, unit FROM design ORDER BY point"):
            values, coordinates = _json(params), _json(unit)
            if not isinstance(values, dict) or not isinstance(coordinates, list) or not all(
                    isinstance(u, (int, float)) and not isinstance(u, bool)
                    for u in coordinates):
                raise store_check.damaged(self.path, KIND, f"design point {point} is not "
                                                           "what kazsim writes")
            yield point, values, coordinates

    # -- runs ----------------------------------------------------------------------

    def done(self) -> set[tuple[int, int]]:
        return set(self.db.execute("SELECT point, replication FROM runs"))

    def add(self, run: Run) -> None:
        key = (run.point, run.replication)
        with self.writing(), self.db:
            metric = self._ids(run.metrics, "metric")
            series = self._ids(run.series, "series")
            self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                            (*key, run.seed, run.status, run.error, run.wall_seconds))
            self.db.execute("DELETE FROM metric_values WHERE point = ? AND replication = ?", key)
            self.db.executemany("INSERT INTO metric_values VALUES (?, ?, ?, ?)",
                                [(*key, metric[name], v) for name, v in run.metrics.items()
                                 if v is not None])
            self.db.executemany(
                "INSERT OR REPLACE INTO series_values VALUES (?, ?, ?, ?, ?)",
                [(*key, series[name], date, v) for name, values in run.series.items()
                 for date, v in zip(run.dates, values)])

    def runs(self) -> Iterator[Run]:
        """Every stored run with its metrics, ordered by point then replication
        (streamed: one run's metrics at a time). A finished run has every metric the
        store knows, by name, None for those it had no value of."""
        params = {point: p for point, p, _ in self.design()}
        names = dict(self.db.execute(
            "SELECT id, name FROM names WHERE kind = 'metric' ORDER BY name"))
        cursor = self.db.execute(
            "SELECT r.point, r.replication, r.seed, r.status, r.error, r.wall_seconds, "
            "m.metric, m.value FROM runs r LEFT JOIN metric_values m "
            "ON m.point = r.point AND m.replication = r.replication "
            "ORDER BY r.point, r.replication")
        current: tuple[Any, ...] | None = None
        metrics: dict[str, float | None] = {}
        for p, r, seed, status, error, wall, metric, value in cursor:
            if current is None or current[:2] != (p, r):
                if current is not None:
                    yield self._run(current, params, metrics, names)
                current, metrics = (p, r, seed, status, error, wall), {}
            if metric is not None:
                metrics[names[metric]] = value
        if current is not None:
            yield self._run(current, params, metrics, names)

    @staticmethod
    def _run(row: tuple[Any, ...], params: dict[int, dict[str, Any]],
             metrics: dict[str, float | None], names: dict[int, str]) -> Run:
        p, r, seed, status, error, wall = row
        if status == "ok":  # the metrics without a value, as None (in name order)
            metrics = {name: metrics.get(name) for name in names.values()}
        return Run(p, r, seed, params.get(p, {}), metrics, status, error, wall)

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))

    def kept_series(self) -> list[str]:
        return [name for (name,) in self.db.execute(
            "SELECT DISTINCT series FROM series ORDER BY series")]

    def series_means(self, name: str) -> dict[int, tuple[list[str], list[float | None]]]:
        """Per design point: dates and the mean over its replications of one series."""
        out: dict[int, tuple[list[str], list[float | None]]] = {}
        for point, date, mean in self.db.execute(
                "SELECT point, date, AVG(value) FROM series WHERE series = ? "
                "GROUP BY point, date ORDER BY point, date", (name,)):
            dates, values = out.setdefault(point, ([], []))
            dates.append(date)
            values.append(mean)
        return out

    # -- the earlier layouts ----------------------------------------------------------------

    def _upgrade(self) -> None:
        """Layout 1 kept the seed as "[s, r]" text and metrics as JSON text in `runs`:
        move them into numeric columns and the long `metrics` table, in one transaction."""
        with self.db:
            self.db.execute("BEGIN")  # DDL too: sqlite3 would otherwise autocommit it
            self.db.execute("ALTER TABLE runs RENAME TO runs_layout1")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            old = self.db.execute("SELECT point, replication, seed, metrics, status, error, "
                                  "wall_seconds FROM runs_layout1").fetchall()
            for point, rep, seed, metrics, status, error, wall in old:
                base = json.loads(seed)[0] if str(seed).startswith("[") else int(seed)
                self.db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                                (point, rep, base, status, error, wall))
                values = json.loads(metrics or "{}")
                ids = self._ids(sorted(values), "metric")
                self.db.executemany(
                    "INSERT INTO metric_values VALUES (?, ?, ?, ?)",
                    [(point, rep, ids[k], v) for k, v in values.items() if v is not None])
            self.db.execute("DROP TABLE runs_layout1")
            self._finish_upgrade()

    def _upgrade_2(self) -> None:
        """Layout 2 wrote each metric's and series' name in every row, with a rowid and an
        index beside each table: move the rows into the layout-3 tables (names by number,
        no rows without a value), in one transaction."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DROP VIEW IF EXISTS outcomes")
            for table in ("runs", "metrics", "series"):
                self.db.execute(f"ALTER TABLE {table} RENAME TO {table}_layout2")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute("INSERT INTO runs SELECT * FROM runs_layout2")
            for table, kind in (("metrics", "metric"), ("series", "series")):
                self.db.execute(f"INSERT OR IGNORE INTO names (name, kind) SELECT DISTINCT {kind}, "
                                f"'{kind}' FROM {table}_layout2 ORDER BY {kind}")
            self.db.execute("INSERT INTO metric_values SELECT m.point, m.replication, n.id, m.value "
                            "FROM metrics_layout2 m JOIN names n ON n.name = m.metric "
                            "AND n.kind = 'metric' WHERE m.value IS NOT NULL")
            self.db.execute("INSERT INTO series_values SELECT s.point, s.replication, n.id, s.date, "
                            "s.value FROM series_layout2 s JOIN names n ON n.name = s.series "
                            "AND n.kind = 'series'")
            for table in ("runs", "metrics", "series"):
                self.db.execute(f"DROP TABLE {table}_layout2")
            self._finish_upgrade()

    def _finish_upgrade(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (LAYOUT,))
        self._tables_for(self.factors(), self.spec().get("outputs", []))


_NOT_JSON = object()


def _json(text: str | None) -> Any:
    """A stored JSON value; `_NOT_JSON` for text that is not JSON (or nested beyond
    reading)."""
    try:
        return json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return _NOT_JSON


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _same_design(stored: list[dict[str, Any]], now: list[dict[str, Any]]) -> bool:
    """The same points, numbers equal to 1e-12 (relative): a store written before design
    values were cleaned of float noise (0.30000000000000004) resumes with its own."""
    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) or isinstance(b, float):
            return (isinstance(a, (int, float)) and isinstance(b, (int, float))
                    and not isinstance(a, bool) and not isinstance(b, bool)
                    and abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300))
        return bool(a == b)

    return len(stored) == len(now) and all(
        s.keys() == n.keys() and all(same(s[k], n[k]) for k in s) for s, n in zip(stored, now))


def _spec_difference(stored: str, now: str) -> str:
    """Which of the spec's keys differ ('seed: stored 1, now 5'), so a user sees that a
    --seed or --reps, not the file, is what changed."""
    try:
        a, b = json.loads(stored), json.loads(now)
    except ValueError:
        return "its spec differs from this file's"
    if not isinstance(a, dict) or not isinstance(b, dict):
        return "its spec differs from this file's"
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    shown = [f"{k}: stored {excerpt(json.dumps(a.get(k)), 40)}, now {excerpt(json.dumps(b.get(k)), 40)}"
             for k in keys[:3]]
    more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    return "its spec differs from this one's at " + "; ".join(shown) + more
