"""Tables on the terminal (rich): the width of the terminal, or 120 columns in a pipe."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def stdout_console() -> Any:
    """A rich console for tables on stdout: the terminal's width, or 120 columns in a
    pipe or a file (rich's 80 would cut numbers short)."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=120)


def print_tables(headline: str, tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]]
                 ) -> None:
    """A headline and titled tables on stdout."""
    from rich.table import Table

    console = stdout_console()
    console.print(headline)
    for title, head, rows in tables:
        table = Table(title=title)
        for h in head:
            table.add_column(h, overflow="fold")  # a long name wraps, never cut to "…"
        for r in rows:
            table.add_row(*r)
        console.print(table)
