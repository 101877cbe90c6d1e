"""The errors kazsim reports to its users, one small hierarchy.

Each carries the exit code the CLI ends with (SPEC "Exit codes"): 1 for the user's
input (and nothing else), 3 for a failure inside the model, 4 when `verify` found a
failing check, 130 after Ctrl-C, 143 after SIGTERM. The
Python API raises the same exceptions; `sim.cli` maps them to exit codes through
click's own exception mechanism. Anything else is a crash: exit 3 and a log file.
"""
from __future__ import annotations

from dataclasses import dataclass

EXIT_INPUT = 1
EXIT_MODEL = 3
EXIT_CHECK_FAILED = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process ended by it


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `line` is 1-based; None when unknown."""

    file: str | None
    line: int | None
    path: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        """"file:line: key.path: message" (a compiler's layout); what is unknown is left
        out, and a problem about no file at all (an option, an output) reads
        "error: message"."""
        if self.file is None and self.line is None and not self.path:
            return f"{self.severity}: {self.message}"  # not about a file: an output, a setting
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(str(self.line) if self.file else f"line {self.line}")
        parts = [":".join(where)] if where else []
        parts += [self.path] if self.path else []
        kind = "warning: " if self.severity == "warning" else ""
        return ": ".join(parts) + f": {kind}{self.message}"


class KazsimError(Exception):
    """Base of every error kazsim reports to a user: a message and an exit code."""

    exit_code = EXIT_MODEL


class InputError(KazsimError):
    """The user's input is wrong: every problem found, at once. Nothing was written."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    @classmethod
    def single(cls, message: str, file: str | None = None, line: int | None = None,
               path: str = "") -> InputError:
        """One problem, e.g. an output directory that cannot be written."""
        return cls([Problem(file, line, path, message)])

    def __str__(self) -> str:
        """One problem as one line, "error: file:line: key.path: message"; several under
        a count (and their file, when they share one), one a line."""
        if len(self.problems) == 1:
            text = str(self.problems[0])
            return text if text.startswith(("error: ", "warning: ")) else f"error: {text}"
        files = {p.file for p in self.problems}
        n = len(self.problems)
        head = f"{n} errors" + (f" in {files.pop()}" if len(files) == 1 and None not in files
                                else "") + ":"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class KazsimWarning(UserWarning):
    """Something a user should know about a result that is still given (comparisons over
    different horizons, ...): a Python warning from the API, a "warning:" line from the
    CLI."""


class ModelError(KazsimError):
    """Runs failed inside the model; what was computed is kept (the message says where)."""

    exit_code = EXIT_MODEL


class CheckFailed(KazsimError):
    """`verify` ran and a check failed (its report is written and says which)."""

    exit_code = EXIT_CHECK_FAILED


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the command's main thread (`sim.core.lifetime`): a
    KeyboardInterrupt, so that everything that stops cleanly after Ctrl-C stops so."""


class Interrupted(KazsimError):
    """Stopped by the user (Ctrl-C) or by SIGTERM (`terminated`: exit 143); `resume` is
    the command that continues, if any."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str = "Interrupted.", resume: str | None = None,
                 terminated: bool = False):
        self.resume = resume
        self.terminated = terminated
        if terminated:
            self.exit_code = EXIT_TERMINATED
        super().__init__(message + (f" Resume with:\n  {resume}" if resume else ""))

    @classmethod
    def by(cls, stop: KeyboardInterrupt, done: str, resume: str | None = None) -> Interrupted:
        """The error for `stop` (Ctrl-C or SIGTERM), saying what is kept (`done`)."""
        terminated = isinstance(stop, Terminated)
        how = "Terminated (SIGTERM)" if terminated else "Interrupted"
        return cls(f"\n{how}: {done}", resume, terminated)


class OutputError(KazsimError):
    """An output could not be written (disk full, read-only, permissions): one line
    naming the path, nothing half-written, and the command that resumes where there is
    one (the CLI fills it in from the command's context)."""

    exit_code = EXIT_MODEL

    def __init__(self, path: str, reason: str, resume: str | None = None):
        self.path, self.reason, self.resume = path, reason, resume
        super().__init__(f"error: cannot write {path}: {reason}"
                         + (f". Once fixed, resume with:\n  {resume}" if resume else ""))


def output_reason(err: OSError) -> str:
    """A short reason for a failed write: disk full, read-only, permission, or the OS's."""
    import errno

    return {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
            errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied"}.get(
        err.errno or 0, err.strerror or type(err).__name__)
