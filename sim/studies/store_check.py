"""A SQLite store given back to kazsim (`sweep --resume`, `sweep-report`, `discover`,
`optimize --resume`) is checked before anything in it is trusted: it must be sound
(SQLite's own quick check), hold the tables of a known layout with their columns and
nothing that acts on its own (no triggers), and every row must hold values of the right
types within bounds. A damaged, truncated or hostile file is then one message naming
it (exit 1), never a traceback halfway through a report.

The checks read the whole file once, as the report commands do anyway.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from sim.core.errors import InputError

MAX_TEXT = 1 << 20  # one value written by kazsim: an error message, a design point's JSON
MAX_META = 4 << 20  # a meta value: the canonical spec of a file read under a 1 MiB budget


@dataclass(frozen=True)
class Table:
    """A table of a layout: the columns kazsim reads, and the SQL condition every row
    meets (its types and bounds)."""

    name: str
    columns: tuple[str, ...]
    rows: str = "1"


@dataclass(frozen=True)
class Layout:
    kind: str  # "kazsim sweep database"
    tables: tuple[Table, ...]
    other_tables: frozenset[str] = field(default_factory=frozenset)  # allowed, read as needed
    views: frozenset[str] = field(default_factory=frozenset)


# Each condition is true or false for every row, never NULL (so that `NOT` counts it).
def text(column: str, limit: int = MAX_TEXT, null: bool = False) -> str:
    size = f"length(CAST({column} AS BLOB))"  # bytes; length() of text counts characters
    if null:
        return f"typeof({column}) IN ('text', 'null') AND coalesce({size}, 0) <= {limit}"
    return f"typeof({column}) = 'text' AND {size} <= {limit}"


def one_of(column: str, *values: str) -> str:
    return f"typeof({column}) = 'text' AND {column} IN ({', '.join(repr(v) for v in values)})"


def integer(column: str) -> str:
    return f"typeof({column}) = 'integer'"


def number(column: str) -> str:
    """A number or nothing (SQLite keeps NaN as NULL)."""
    return f"typeof({column}) IN ('integer', 'real', 'null')"


def damaged(path: str, kind: str, why: str) -> InputError:
    return InputError.single(f"{path}: a damaged {kind} ({why}); kazsim cannot read it")


def check(db: sqlite3.Connection, path: str, layout: Layout, missing: bool = False) -> None:
    """Raise InputError unless the store at `path` (open as `db`) is sound and holds
    `layout`; with `missing`, tables of the layout may be absent (a store about to be
    given them)."""
    try:
        _check(db, path, layout, missing)
    except sqlite3.DatabaseError as err:  # malformed pages, found while reading
        raise damaged(path, layout.kind, str(err)) from None


def _check(db: sqlite3.Connection, path: str, layout: Layout, missing: bool) -> None:
    problems = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
    if problems != ["ok"]:
        raise damaged(path, layout.kind, str(problems[0])[:200])
    objects: dict[str, set[str]] = {}
    for kind, name in db.execute("SELECT type, name FROM sqlite_master"):
        objects.setdefault(str(kind), set()).add(str(name))
    known = {t.name for t in layout.tables} | layout.other_tables
    foreign = sorted((objects.get("table", set()) - known - {"sqlite_sequence"})
                     | (objects.get("view", set()) - layout.views)
                     | objects.get("trigger", set()))
    if foreign:
        raise InputError.single(f"{path}: not a {layout.kind} of a layout this kazsim reads "
                                f"(it holds {', '.join(repr(n) for n in foreign[:3])}); "
                                "choose another file")
    for table in layout.tables:
        if table.name not in objects.get("table", set()):
            if missing:
                continue
            raise InputError.single(f"{path}: not a {layout.kind} this kazsim reads (it has "
                                    f"no table '{table.name}'); choose another file")
        columns = {row[1] for row in db.execute(f"PRAGMA table_info('{table.name}')")}
        lacking = [c for c in table.columns if c not in columns]
        if lacking:
            raise InputError.single(f"{path}: not a {layout.kind} this kazsim reads (its "
                                    f"table '{table.name}' has no column '{lacking[0]}'); "
                                    "choose another file")
        bad = db.execute(f"SELECT COUNT(*) FROM '{table.name}' WHERE NOT ({table.rows})"
                         ).fetchone()[0]
        if bad:
            rows = f"{bad:,} rows of '{table.name}' hold" if bad != 1 else \
                f"a row of '{table.name}' holds"
            raise damaged(path, layout.kind, f"{rows} values of the wrong type or size")
