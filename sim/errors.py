"""User-input errors: every problem names file, line, key path, what was expected and found."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `line` is 1-based; None when unknown."""

    file: str | None
    line: int | None
    path: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.path}:" if self.path else ""
        kind = " warning:" if self.severity == "warning" else ""
        return f"{where}:{key}{kind} {self.message}"


class InputError(Exception):
    """Raised with all the problems found at once; the CLI prints them and exits 1."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} error{'s' if n != 1 else ''} in input:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
